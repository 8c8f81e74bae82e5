package vision

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Orientation is read by walking the container's own structure to the
// EXIF block and then the TIFF IFD0 inside it, with every offset bounded
// by a section reader: a damaged EXIF block yields orientation 1, never an
// error, because the pixels may still be fine.

const tagOrientation = 0x0112

// readOrientation returns the EXIF orientation (1-8) stored in a file of
// the given format, or 1 when there is none or it cannot be read.
func readOrientation(format string, r io.ReaderAt, size int64) int {
	switch format {
	case "jpeg":
		return jpegOrientation(r, size)
	case "png":
		return pngOrientation(r, size)
	case "webp":
		return webpOrientation(r, size)
	case "tiff":
		return tiffOrientation(io.NewSectionReader(r, 0, size))
	}
	return 1
}

func jpegOrientation(r io.ReaderAt, size int64) int {
	var hdr [4]byte
	off := int64(2) // after SOI
	for off+4 <= size {
		if _, err := r.ReadAt(hdr[:2], off); err != nil {
			return 1
		}
		if hdr[0] != 0xff {
			return 1
		}
		marker := hdr[1]
		switch {
		case marker == 0xff: // fill byte before a marker
			off++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8:
			off += 2 // markers without a length
			continue
		case marker == 0xda || marker == 0xd9:
			return 1 // EXIF comes before the scan data
		}
		if _, err := r.ReadAt(hdr[2:4], off+2); err != nil {
			return 1
		}
		n := int64(binary.BigEndian.Uint16(hdr[2:4]))
		if n < 2 {
			return 1
		}
		if marker == 0xe1 && n >= 2+6+8 {
			var id [6]byte
			if _, err := r.ReadAt(id[:], off+4); err == nil && bytes.HasPrefix(id[:], []byte("Exif\x00")) {
				return tiffOrientation(io.NewSectionReader(r, off+10, n-8))
			}
		}
		off += 2 + n
	}
	return 1
}

func pngOrientation(r io.ReaderAt, size int64) int {
	var hdr [8]byte
	for off := int64(8); off+12 <= size; {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return 1
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch string(hdr[4:8]) {
		case "eXIf":
			return exifBlockOrientation(io.NewSectionReader(r, off+8, n))
		case "IEND":
			return 1
		}
		off += 12 + n
	}
	return 1
}

func webpOrientation(r io.ReaderAt, size int64) int {
	var hdr [8]byte
	for off := int64(12); off+8 <= size; {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return 1
		}
		n := int64(binary.LittleEndian.Uint32(hdr[4:]))
		if string(hdr[:4]) == "EXIF" {
			return exifBlockOrientation(io.NewSectionReader(r, off+8, n))
		}
		off += 8 + n + n&1 // chunks are padded to even length
	}
	return 1
}

// exifBlockOrientation reads a PNG eXIf or WebP EXIF payload, which should
// be a bare TIFF structure but is sometimes written with the JPEG
// "Exif\0\0" prefix.
func exifBlockOrientation(s *io.SectionReader) int {
	var id [6]byte
	if _, err := s.ReadAt(id[:], 0); err == nil && bytes.HasPrefix(id[:], []byte("Exif\x00")) {
		return tiffOrientation(io.NewSectionReader(s, 6, s.Size()-6))
	}
	return tiffOrientation(s)
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure.
func tiffOrientation(s *io.SectionReader) int {
	var hdr [8]byte
	if _, err := s.ReadAt(hdr[:], 0); err != nil {
		return 1
	}
	var bo binary.ByteOrder
	switch string(hdr[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(hdr[4:]))
	var cnt [2]byte
	if _, err := s.ReadAt(cnt[:], ifd); err != nil {
		return 1
	}
	n := int64(bo.Uint16(cnt[:]))
	var e [12]byte
	for i := range n {
		if _, err := s.ReadAt(e[:], ifd+2+12*i); err != nil {
			return 1
		}
		if bo.Uint16(e[:2]) != tagOrientation {
			continue
		}
		var v uint32
		switch bo.Uint16(e[2:4]) {
		case 3: // SHORT, the type the standard prescribes
			v = uint32(bo.Uint16(e[8:10]))
		case 4: // LONG, written by a few tools
			v = bo.Uint32(e[8:12])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}
