package live

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// cliWriter writes {"<key>": [items...]} the way `aws ec2 describe-*`
// prints a merged, paginated result, a page at a time: members named as
// the API model names them (the SDK's exported field names are those
// names), absent members (nil pointers, nil lists) left out, empty lists
// kept as [], strings with only '"', '\\' and control characters escaped
// (the CLI prints other characters as they are), times in the CLI's ISO
// 8601 form. The SDK's unexported bookkeeping fields are skipped.
type cliWriter struct {
	e     cliEncoder
	items int
}

func newCLIWriter(w io.Writer, key string) *cliWriter {
	c := &cliWriter{e: cliEncoder{w: bufio.NewWriterSize(w, 1<<16)}}
	c.e.raw("{\n    ")
	c.e.str(key)
	c.e.raw(": [")
	return c
}

// add writes one page's items.
func addItems[T any](c *cliWriter, items []T) error {
	for i := range items {
		if c.items > 0 {
			c.e.raw(",")
		}
		c.items++
		c.e.raw("\n")
		c.e.indent(2)
		c.e.value(reflect.ValueOf(&items[i]).Elem(), 2)
	}
	return c.e.err
}

// finish closes the list and the document and flushes.
func (c *cliWriter) finish() error {
	if c.items > 0 {
		c.e.raw("\n    ")
	}
	c.e.raw("]\n}\n")
	if c.e.err != nil {
		return c.e.err
	}
	return c.e.w.Flush()
}

// writeCLIJSON writes a whole list at once.
func writeCLIJSON[T any](w io.Writer, key string, items []T) error {
	c := newCLIWriter(w, key)
	if err := addItems(c, items); err != nil {
		return err
	}
	return c.finish()
}

type cliEncoder struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func (e *cliEncoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *cliEncoder) indent(depth int) {
	for range depth {
		e.raw("    ")
	}
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string the way Python's json module with
// ensure_ascii off (the AWS CLI) does: '"', '\\' and control characters
// escaped, everything else as it is; invalid UTF-8 becomes U+FFFD.
func (e *cliEncoder) str(s string) {
	b := append(e.buf[:0], '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
	}
	b = append(b, '"')
	e.buf = b
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

var timeType = reflect.TypeOf(time.Time{})

// present reports whether a member is written: absent pointers and lists
// (the SDK leaves them nil) are not.
func present(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return !v.IsNil()
	}
	return true
}

// member starts member n (from 0) of a list or object at depth: a comma
// after the first, then a new line indented one level deeper.
func (e *cliEncoder) member(n, depth int) {
	if n > 0 {
		e.raw(",")
	}
	e.raw("\n")
	e.indent(depth + 1)
}

// end closes a list or object at depth that holds members.
func (e *cliEncoder) end(depth int, closing string) {
	e.raw("\n")
	e.indent(depth)
	e.raw(closing)
}

func (e *cliEncoder) value(v reflect.Value, depth int) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			e.raw("null")
			return
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		// botocore prints timestamps as ISO 8601 with a numeric offset.
		t := v.Interface().(time.Time).UTC()
		layout := "2006-01-02T15:04:05+00:00"
		if t.Nanosecond() != 0 {
			layout = "2006-01-02T15:04:05.000000+00:00"
		}
		e.str(t.Format(layout))
		return
	}
	switch v.Kind() {
	case reflect.String:
		e.str(v.String())
	case reflect.Bool:
		e.raw(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf[:0], v.Int(), 10)
		e.raw(string(e.buf))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.buf = strconv.AppendUint(e.buf[:0], v.Uint(), 10)
		e.raw(string(e.buf))
	case reflect.Float32, reflect.Float64:
		e.buf = strconv.AppendFloat(e.buf[:0], v.Float(), 'g', -1, 64)
		e.raw(string(e.buf))
	case reflect.Slice:
		if v.Len() == 0 {
			e.raw("[]")
			return
		}
		e.raw("[")
		for i := 0; i < v.Len(); i++ {
			e.member(i, depth)
			e.value(v.Index(i), depth+1)
		}
		e.end(depth, "]")
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		if len(keys) == 0 {
			e.raw("{}")
			return
		}
		e.raw("{")
		for i, k := range keys {
			e.member(i, depth)
			e.str(fmt.Sprint(k.Interface()))
			e.raw(": ")
			e.value(v.MapIndex(k), depth+1)
		}
		e.end(depth, "}")
	case reflect.Struct:
		t := v.Type()
		n := 0
		e.raw("{")
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if !present(fv) {
				continue
			}
			e.member(n, depth)
			n++
			e.str(f.Name)
			e.raw(": ")
			e.value(fv, depth+1)
		}
		if n == 0 {
			e.raw("}")
		} else {
			e.end(depth, "}")
		}
	default:
		if e.err == nil {
			e.err = fmt.Errorf("cannot write a %s as AWS CLI JSON", v.Type())
		}
	}
}
