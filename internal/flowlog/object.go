package flowlog

import (
	"context"
	"io"
	"strings"
)

// Object is a flow log input that is not a local file: an S3 object, the
// events of a CloudWatch Logs group. Its content is detected as a local
// file's is (plain text, gzip or Parquet); bad lines are reported as
// Name():line.
type Object interface {
	// Name identifies the object in messages (s3://bucket/key).
	Name() string
	// Size is the object's size in bytes as stored (compressed), or -1
	// when it is not known beforehand; it feeds progress only.
	Size() int64
	// Open returns the object's bytes from the start. The reader is read
	// to its end or closed early; either way it is closed.
	Open(ctx context.Context) (io.ReadCloser, error)
}

// RangeObject is an Object that can also be read at offsets (ranged GETs).
// Parquet is read that way: its footer, then the column chunks, never the
// whole object at once.
type RangeObject interface {
	Object
	// ReaderAt reads the object at offsets for as long as ctx lives.
	ReaderAt(ctx context.Context) io.ReaderAt
}

// FormattedObject is an Object whose records carry no header line and
// have a known field order (a CloudWatch Logs group whose flow log
// definition was read): it is used instead of Options.Format.
type FormattedObject interface {
	Object
	Format() *Format
}

// remoteParquetBuffer is the read size of Parquet column chunks of remote
// objects, larger than for files since a read may be a request (the
// decoder keeps one such buffer per column being read).
const remoteParquetBuffer = 256 << 10

// looksParquet reports whether a name says Parquet (AWS names them
// .log.parquet); the content still decides.
func looksParquet(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".parquet")
}
