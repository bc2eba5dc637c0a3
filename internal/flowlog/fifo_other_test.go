//go:build !unix

package flowlog

import "errors"

func mkfifo(string) error { return errors.New("not supported") }
