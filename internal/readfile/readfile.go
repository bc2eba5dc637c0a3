// Package readfile reads the files walls takes whole (inventories, plans,
// suppression lists) within bounds: only regular files (a named pipe would
// block forever, /dev/zero never ends), and at most MaxSize bytes, checked before reading and enforced while reading
// when the size is not known in advance.
package readfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/walls-dev/walls/internal/vpc"
)

// MaxSize is the largest inventory file walls reads: 1 GiB. Files are
// decoded whole, and loading takes about three times the file's size in
// memory (221 MB of describe-* output for 10,000 security groups and
// 100,000 network interfaces peak at 615 MB), so a 1 GiB file needs about
// 3 GB. The largest file of that benchmark, 100,000 interfaces, is 171 MB.
const MaxSize = 1 << 30

// NotRegular describes what a file of mode m is when it is not a regular
// file ("a named pipe (FIFO)", "a device", …), or returns "" for a
// regular file.
func NotRegular(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return ""
	case t&fs.ModeDir != 0:
		return "a folder"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// Refusal is the message for a file that is not a regular file.
func Refusal(what string) string {
	return fmt.Sprintf("%s, not a regular file; walls reads such files whole, and this one could block or never end", what)
}

// TooLarge is the message for a file over the limit.
func TooLarge(size int64) string {
	return fmt.Sprintf("file is %s; walls reads inventory files of up to %s each (split describe-* output into pages, or one file per region)", human(size), human(MaxSize))
}

// Read returns the content of the regular file at path (symbolic links
// followed). Other files are refused without being opened, files over
// MaxSize without being read. Errors are *vpc.InputError values naming
// the file.
func Read(path string) ([]byte, error) {
	fail := func(msg string) error { return &vpc.InputError{Loc: vpc.Location{File: path}, Msg: msg} }
	st, err := os.Stat(path)
	if err != nil {
		return nil, fail(unwrap(err).Error())
	}
	if what := NotRegular(st.Mode()); what != "" {
		return nil, fail(Refusal(what))
	}
	if st.Size() > MaxSize {
		return nil, fail(TooLarge(st.Size()))
	}
	// Non-blocking, should the file have been swapped for a pipe since.
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, fail(unwrap(err).Error())
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, fail(unwrap(err).Error())
	}
	if what := NotRegular(st.Mode()); what != "" {
		return nil, fail(Refusal(what))
	}
	data, err := ReadLimited(f, st.Size(), MaxSize)
	if err != nil {
		return nil, fail(err.Error())
	}
	return data, nil
}

// ReadLimited reads r to its end, but never more than limit+1 bytes: a
// reader with more than limit bytes is an error. sizeHint (the size the
// file claims, possibly 0 or wrong) sizes the first buffer.
func ReadLimited(r io.Reader, sizeHint, limit int64) ([]byte, error) {
	n := int64(512)
	if sizeHint > 0 && sizeHint <= limit {
		n = sizeHint + 1 // one more byte, to see the end without growing
	}
	buf := make([]byte, 0, n)
	lr := &io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > limit {
			return nil, fmt.Errorf("file is larger than %s; walls reads inventory files of up to %s each", human(limit), human(limit))
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, unwrap(err)
		}
	}
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// human renders a byte count: 1 GiB, 2.0 GiB, 171.2 MiB, 512 bytes.
func human(n int64) string {
	const k = 1024
	switch {
	case n >= k*k*k && n%(k*k*k) == 0:
		return fmt.Sprintf("%d GiB", n/(k*k*k))
	case n >= k*k*k:
		return fmt.Sprintf("%.1f GiB", float64(n)/(k*k*k))
	case n >= k*k && n%(k*k) == 0:
		return fmt.Sprintf("%d MiB", n/(k*k))
	case n >= k*k:
		return fmt.Sprintf("%.1f MiB", float64(n)/(k*k))
	case n >= k && n%k == 0:
		return fmt.Sprintf("%d KiB", n/k)
	}
	return fmt.Sprintf("%d bytes", n)
}
