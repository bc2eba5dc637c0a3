//go:build unix

package flowlog

import (
	"os"
	"syscall"
)

// mmapFile maps a regular file read-only. The mapping is input, not heap:
// it is backed by the page cache and dropped with unmap.
func mmapFile(f *os.File, size int64) (data []byte, unmap func(), err error) {
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, syscall.EINVAL
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return data, func() { _ = syscall.Munmap(data) }, nil
}
