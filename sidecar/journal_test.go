package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

type result struct {
	Key     string            `json:"key"`
	Image   string            `json:"image"`
	Caption map[string]string `json:"caption"`
}

func TestJournalConcurrentAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r := result{
					Key:     fmt.Sprintf("sha256:%02d-%03d", w, i),
					Image:   fmt.Sprintf("img/%d/%d.jpg", w, i),
					Caption: map[string]string{"en": "line\nbreak & <tag>", "ja": "夜明け 🚤"},
				}
				if err := j.Append(r); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := bytes.Count(data, []byte("\n")); n != workers*each {
		t.Errorf("%d lines, want %d", n, workers*each)
	}
	recs, skipped, err := ReadJournal(path)
	if err != nil || skipped != 0 || len(recs) != workers*each {
		t.Fatalf("ReadJournal: %d records, %d skipped, %v; want %d, 0, nil", len(recs), skipped, err, workers*each)
	}
	var r result
	if err := json.Unmarshal(recs["sha256:07-039"], &r); err != nil || r.Image != "img/7/39.jpg" || r.Caption["ja"] != "夜明け 🚤" {
		t.Errorf("record sha256:07-039 = %+v (%v)", r, err)
	}
}

func TestJournalTornLine(t *testing.T) {
	tests := []struct {
		name, tail  string
		keys        int // records ReadJournal reports before the reopen
		skipped     int
		tailIsValid bool
	}{
		{"torn object", `{"key":"c","caption":{"en":"half a capt`, 2, 1, false},
		{"torn in a key", `{"ke`, 2, 1, false},
		{"complete but no newline", `{"key":"c","caption":{"en":"whole"}}`, 3, 0, true},
		{"clean", ``, 2, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.jsonl")
			good := "{\"key\":\"a\",\"n\":1}\n{\"key\":\"b\",\"n\":2}\n"
			if err := os.WriteFile(path, []byte(good+tt.tail), 0o644); err != nil {
				t.Fatal(err)
			}
			recs, skipped, err := ReadJournal(path)
			if err != nil || len(recs) != tt.keys || skipped != tt.skipped {
				t.Fatalf("ReadJournal: %d records, %d skipped, %v; want %d, %d", len(recs), skipped, err, tt.keys, tt.skipped)
			}
			if string(recs["b"]) != `{"key":"b","n":2}` {
				t.Errorf("record b = %s", recs["b"])
			}

			// A resumed run redoes what was not read back and appends it.
			j, err := OpenJournal(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"c", "d"} {
				if _, done := recs[k]; !done {
					if err := j.Append(map[string]any{"key": k, "redone": true}); err != nil {
						t.Fatal(err)
					}
				}
			}
			j.Close()
			recs, skipped, err = ReadJournal(path)
			if err != nil || skipped != 0 || len(recs) != 4 {
				t.Fatalf("after resume: %d records, %d skipped, %v; want 4, 0, nil", len(recs), skipped, err)
			}
			data, _ := os.ReadFile(path)
			if lines := bytes.Count(data, []byte("\n")); lines != 4 || !bytes.HasSuffix(data, []byte("\n")) {
				t.Errorf("journal after resume has %d lines, want 4 (no duplicate, no glued line):\n%s", lines, data)
			}
			if tt.tailIsValid && string(recs["c"]) != tt.tail {
				t.Errorf("record c = %s, want the unterminated line kept", recs["c"])
			}
		})
	}
}

func TestJournalErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []any{map[string]int{"n": 1}, map[string]any{"key": 7}, map[string]string{"key": ""}, []string{"key"}} {
		if err := j.Append(rec); !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrCorrupt) {
			t.Errorf("Append(%v) = %v, want ErrNoKey", rec, err)
		}
	}
	if err := j.Append(func() {}); err == nil {
		t.Error("Append of a func succeeded")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	var e *Error
	if err := j.Append(map[string]string{"key": "a"}); !errors.Is(err, ErrClosed) || !errors.As(err, &e) || e.Op != "Journal.Append" {
		t.Errorf("Append after Close = %v, want a *Error wrapping ErrClosed", err)
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Errorf("rejected records reached the file: %q", data)
	}

	if _, _, err := ReadJournal(filepath.Join(dir, "none.jsonl")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing journal: err = %v, want fs.ErrNotExist", err)
	}
	for name, content := range map[string]string{
		"garbage in the middle": "{\"key\":\"a\"}\nnot json\n{\"key\":\"b\"}\n",
		"complete line, no key": "{\"key\":\"a\"}\n{\"id\":\"b\"}\n",
	} {
		p := filepath.Join(dir, "bad.jsonl")
		os.WriteFile(p, []byte(content), 0o644)
		if _, _, err := ReadJournal(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}
