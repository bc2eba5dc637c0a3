package live

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// writeCLIJSON writes {"<key>": [items...]} the way `aws ec2 describe-*`
// prints a merged, paginated result: members named as the API model names
// them (the SDK's exported field names are those names), absent members
// (nil pointers, nil lists) left out, empty lists kept as [], times in the
// CLI's ISO 8601 form. The SDK's unexported bookkeeping fields are skipped.
func writeCLIJSON[T any](w io.Writer, key string, items []T) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &cliEncoder{w: bw}
	e.raw("{\n    ")
	e.str(key)
	e.raw(": [")
	for i := range items {
		if i > 0 {
			e.raw(",")
		}
		e.raw("\n")
		e.indent(2)
		e.value(reflect.ValueOf(&items[i]).Elem(), 2)
	}
	if len(items) > 0 {
		e.raw("\n    ")
	}
	e.raw("]\n}\n")
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
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

func (e *cliEncoder) str(s string) {
	b, _ := json.Marshal(s) // strings always marshal
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
			if i > 0 {
				e.raw(",")
			}
			e.raw("\n")
			e.indent(depth + 1)
			e.value(v.Index(i), depth+1)
		}
		e.raw("\n")
		e.indent(depth)
		e.raw("]")
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		if len(keys) == 0 {
			e.raw("{}")
			return
		}
		e.raw("{")
		for i, k := range keys {
			if i > 0 {
				e.raw(",")
			}
			e.raw("\n")
			e.indent(depth + 1)
			e.str(fmt.Sprint(k.Interface()))
			e.raw(": ")
			e.value(v.MapIndex(k), depth+1)
		}
		e.raw("\n")
		e.indent(depth)
		e.raw("}")
	case reflect.Struct:
		t := v.Type()
		first := true
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
			if !first {
				e.raw(",")
			}
			first = false
			e.raw("\n")
			e.indent(depth + 1)
			e.str(f.Name)
			e.raw(": ")
			e.value(fv, depth+1)
		}
		if !first {
			e.raw("\n")
			e.indent(depth)
		}
		e.raw("}")
	default:
		if e.err == nil {
			e.err = fmt.Errorf("cannot write a %s as AWS CLI JSON", v.Type())
		}
	}
}
