package lineio

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

// TestReadLine: lines within the bound whole, a longer one cut at it and
// the rest skipped (past the reader's buffer too), the last line without
// a newline with io.EOF.
func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	r := bufio.NewReaderSize(strings.NewReader("ab\n"+long+"\ncd\nef"), 16)
	for _, want := range []struct {
		line string
		cut  bool
		err  error
	}{{"ab\n", false, nil}, {long[:100], true, nil}, {"cd\n", false, nil}, {"ef", false, io.EOF}} {
		line, cut, err := ReadLine(r, 100)
		if string(line) != want.line || cut != want.cut || err != want.err {
			t.Fatalf("got %.20q, cut %v, %v; want %.20q, %v, %v", line, cut, err, want.line, want.cut, want.err)
		}
	}
}
