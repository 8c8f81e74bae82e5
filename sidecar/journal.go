package sidecar

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Journal is an append-only JSON Lines file of finished results, one record
// per line, so that an interrupted batch run can resume: ReadJournal tells
// which keys are done. Each Append is one write of a whole line followed by
// fsync, so after a crash the file holds every acknowledged record and at
// most one torn line at its end.
//
// A Journal is safe for concurrent use by several goroutines. Only one
// Journal (one process) should append to a file at a time.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error // sticky: set by Close or by a failed write
}

// OpenJournal opens path for appending, creating it if needed. A torn last
// line left by a crash is repaired first, so that the next record starts on
// a line of its own: a fragment that is still a complete record gets its
// newline, any other fragment is cut off, which matches what ReadJournal
// reports as done.
func OpenJournal(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, &Error{Op: "OpenJournal", Path: path, Err: err}
	}
	if err := repairTail(f); err != nil {
		f.Close()
		return nil, &Error{Op: "OpenJournal", Path: path, Err: err}
	}
	return &Journal{f: f, path: path}, nil
}

func repairTail(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	// Find the end of the last complete line by reading backwards.
	start := size
	buf := make([]byte, 64<<10)
	for start > 0 {
		n := min(int64(len(buf)), start)
		chunk := buf[:n]
		if _, err := f.ReadAt(chunk, start-n); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			start = start - n + int64(i) + 1
			break
		}
		start -= n
	}
	if start == size {
		return nil
	}
	tail := make([]byte, size-start)
	if _, err := f.ReadAt(tail, start); err != nil {
		return err
	}
	if _, err := recordKey(tail); err == nil {
		_, err = f.Write([]byte{'\n'})
		if err != nil {
			return err
		}
	} else if err := f.Truncate(start); err != nil {
		return err
	}
	return f.Sync()
}

// Append writes record, marshalled with encoding/json, as one line and
// syncs it to disk before returning. The record must marshal to a JSON
// object with a non-empty string "key" field (for example the image's
// content hash); otherwise the error wraps ErrNoKey and nothing is written.
func (j *Journal) Append(record any) error {
	line, err := json.Marshal(record)
	if err != nil {
		return &Error{Op: "Journal.Append", Path: j.path, Err: err}
	}
	if _, err := recordKey(line); err != nil {
		return &Error{Op: "Journal.Append", Path: j.path, Err: err}
	}
	line = append(line, '\n')

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return &Error{Op: "Journal.Append", Path: j.path, Err: j.err}
	}
	if _, err := j.f.Write(line); err != nil {
		// A short write may have left part of a line; refuse further lines
		// rather than glue the next record onto it.
		j.err = fmt.Errorf("%w: an earlier write failed: %w", ErrClosed, err)
		return &Error{Op: "Journal.Append", Path: j.path, Err: err}
	}
	if err := j.f.Sync(); err != nil {
		j.err = fmt.Errorf("%w: an earlier sync failed: %w", ErrClosed, err)
		return &Error{Op: "Journal.Append", Path: j.path, Err: err}
	}
	return nil
}

// Close closes the file. It is idempotent; Append after Close returns an
// error wrapping ErrClosed.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	if j.err == nil {
		j.err = ErrClosed
	}
	if err != nil {
		return &Error{Op: "Journal.Close", Path: j.path, Err: err}
	}
	return nil
}

// ReadJournal reads the records of a journal, keyed by their "key" field;
// when a key occurs more than once the last record wins. A final line with
// no newline that is not a complete record is the trace of a crash during
// Append: it is ignored and counted in skipped (0 or 1), and its record
// should be redone. Any other line that is not a keyed JSON object makes
// ReadJournal fail with an error wrapping ErrCorrupt that names the line.
// A missing file is an error wrapping fs.ErrNotExist.
func ReadJournal(path string) (records map[string]json.RawMessage, skipped int, err error) {
	records = make(map[string]json.RawMessage)
	skipped, err = ScanJournal(path, func(key string, record json.RawMessage) { records[key] = record })
	if err != nil {
		return nil, 0, err
	}
	return records, skipped, nil
}

// ScanJournal calls fn with every record of a journal, in the order they
// were appended, repeated keys included; lines are checked as ReadJournal
// checks them (whose rules, and skipped, it shares).
func ScanJournal(path string, fn func(key string, record json.RawMessage)) (skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, &Error{Op: "ScanJournal", Path: path, Err: err}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, &Error{Op: "ScanJournal", Path: path, Err: err}
		}
		complete := err == nil
		if len(bytes.TrimSpace(line)) > 0 {
			key, kerr := recordKey(line)
			switch {
			case kerr == nil:
				fn(key, json.RawMessage(bytes.TrimRight(line, "\r\n")))
			case !complete:
				skipped++
			default:
				if !errors.Is(kerr, ErrCorrupt) {
					kerr = fmt.Errorf("%w: %w", ErrCorrupt, kerr)
				}
				return 0, &Error{Op: "ScanJournal", Path: path, Err: fmt.Errorf("line %d: %w", lineNo, kerr)}
			}
		}
		if !complete {
			return skipped, nil
		}
	}
}

// recordKey returns the "key" field of one JSON object line.
func recordKey(line []byte) (string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil || fields == nil {
		return "", fmt.Errorf("%w: not a JSON object", ErrCorrupt)
	}
	var key string
	if err := json.Unmarshal(fields["key"], &key); err != nil || key == "" {
		return "", ErrNoKey
	}
	return key, nil
}
