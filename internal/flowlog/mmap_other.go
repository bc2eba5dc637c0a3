//go:build !unix

package flowlog

import (
	"errors"
	"os"
)

// mmapFile is not available here; files are streamed instead.
func mmapFile(f *os.File, size int64) ([]byte, func(), error) {
	return nil, nil, errors.New("mmap not supported")
}

func release([]byte) {}

// openNoWait opens name for reading.
func openNoWait(name string) (*os.File, error) { return os.Open(name) }
