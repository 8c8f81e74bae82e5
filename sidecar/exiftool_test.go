package sidecar

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// exif reads a file back with exiftool, the reference XMP reader, grouped
// by family-1 group ("XMP-dc:Description-de") with structures kept. The
// System group (file dates, size) is dropped so that outputs compare.
func exif(t *testing.T, path string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Fatalf("exiftool not found: install libimage-exiftool-perl (apt-get install libimage-exiftool-perl; the build scripts install it): %v", err)
	}
	out, err := exec.Command(bin, "-j", "-G1", "-struct", "-charset", "UTF8", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v\n%s", path, err, out)
	}
	var res []map[string]any
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		t.Fatalf("exiftool %s: unexpected output (%v):\n%s", path, err, out)
	}
	for k := range res[0] {
		if strings.HasPrefix(k, "System:") || k == "SourceFile" {
			delete(res[0], k)
		}
	}
	if w, ok := res[0]["ExifTool:Warning"]; ok {
		t.Errorf("exiftool %s: warning %v", path, w)
	}
	return res[0]
}
