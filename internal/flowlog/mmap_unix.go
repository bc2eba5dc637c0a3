//go:build unix

package flowlog

import (
	sys "golang.org/x/sys/unix"
	"os"
	"unsafe"
)

// mmapFile maps a regular file read-only. The mapping is input, not heap:
// it is backed by the page cache and dropped with unmap.
func mmapFile(f *os.File, size int64) (data []byte, unmap func(), err error) {
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, sys.EINVAL
	}
	data, err = sys.Mmap(int(f.Fd()), 0, int(size), sys.PROT_READ, sys.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	_ = sys.Madvise(data, sys.MADV_SEQUENTIAL)
	return data, func() { _ = sys.Munmap(data) }, nil
}

// release drops the page-table entries of the whole pages inside b, a
// parsed piece of a mapping (the page cache keeps the data). Done piece
// by piece as workers finish them, this spreads over the run the cost
// that one munmap of the whole file paid at its end, serially: about
// 40 ms for 1 GiB.
func release(b []byte) {
	ps := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo, hi := (start+ps-1)&^(ps-1), (start+uintptr(len(b)))&^(ps-1)
	if hi > lo {
		_ = sys.Madvise(b[lo-start:hi-start], sys.MADV_DONTNEED)
	}
}

// openNoWait opens name for reading without blocking: opening a named pipe
// otherwise waits for a writer. Regular files ignore the flag.
func openNoWait(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|sys.O_NONBLOCK, 0)
}
