// Package lineio reads lines of bounded length: a line longer than the
// bound costs no more memory than the bound, whatever its length.
package lineio

import (
	"bufio"
	"errors"
)

// ReadLine reads one line with its newline, keeping at most max bytes of
// it and skipping the rest; cut reports that it skipped some. err is set
// at the end of the stream (with the last line, if it had no newline).
func ReadLine(r *bufio.Reader, max int) (line []byte, cut bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		keep := min(len(chunk), max-len(line))
		line = append(line, chunk[:keep]...)
		cut = cut || keep < len(chunk)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, cut, err
		}
	}
}
