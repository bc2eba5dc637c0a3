//go:build unix

package flowlog

import "syscall"

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
