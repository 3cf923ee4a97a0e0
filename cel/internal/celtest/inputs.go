// Package celtest holds test inputs shared by the policy packages' tests.
package celtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/warden-gw/warden/cel/pack"
	"github.com/warden-gw/warden/cel/policy"
)

// CheckInputs returns the `warden check` input lines of every *.jsonl file in dir (the
// cel/testdata corpora) followed by the inputs of the default pack's test cases.
func CheckInputs(dir string) ([][]byte, error) {
	var lines [][]byte
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, []byte(l))
			}
		}
		_ = fh.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	err = fs.WalkDir(pack.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasPrefix(p, "tests-") {
			return err
		}
		data, err := fs.ReadFile(pack.FS, p)
		if err != nil {
			return err
		}
		docs, err := policy.ParseDocuments(p, data)
		if err != nil {
			return err
		}
		for _, d := range docs {
			spec, err := d.TestSpec()
			if err != nil {
				return err
			}
			for _, c := range spec.Cases {
				line, err := json.Marshal(c.Input)
				if err != nil {
					return err
				}
				lines = append(lines, line)
			}
		}
		return nil
	})
	return lines, err
}
