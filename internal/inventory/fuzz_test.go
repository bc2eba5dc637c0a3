package inventory

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// FuzzDecodeAWSJSON feeds arbitrary bytes through decoding, conversion and
// merging: no input may panic; errors are fine.
func FuzzDecodeAWSJSON(f *testing.F) {
	for _, dir := range []string{"testdata/spec", "testdata/pages", "testdata/errors", "testdata/prefixlists"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &parsed{file: "pl-0abc.json"}
		fd, err := decodeAWSJSON("pl-0abc.json", data)
		if err != nil {
			return
		}
		p.aws = fd
		p.conv = &converter{file: "pl-0abc.json"}
		p.conv.convertAll(fd)
		inv := newInventoryForFuzz()
		m := newMerger(inv)
		_ = m.add(p)
		m.finish()
		Finalize(inv)
	})
}

func newInventoryForFuzz() *vpc.Inventory { return vpc.New() }

// FuzzFastUnmarshal holds goccy/go-json to encoding/json on every raw shape:
// where encoding/json rejects an element, fastUnmarshal must too, and where
// it accepts, both must decode the same value. The fast path may never make
// the loader more lenient or decode differently.
func FuzzFastUnmarshal(f *testing.F) {
	for _, dir := range []string{"testdata/spec", "testdata/pages", "testdata/errors"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			fd, err := decodeAWSJSON(p, data)
			if err != nil {
				continue
			}
			_ = fd
			sc := &scanner{data: data, line: 1}
			sc.peek()
			sc.pos++
			if _, err := sc.str(); err != nil || sc.expect(':') != nil {
				continue
			}
			spans, err := sc.elements()
			if err != nil {
				continue
			}
			for _, s := range spans {
				f.Add(data[s.start:s.end])
			}
		}
	}
	f.Add([]byte(`{"RuleNumber":"100"}`))
	f.Add([]byte(`{"FromPort":1e3,"IpProtocol":"tcp"}`))
	f.Add([]byte(`{"GroupId":"sg-\u0031","Tags":[{"Key":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		same[rawSecurityGroup](t, b)
		same[rawSecurityGroupRule](t, b)
		same[rawInterface](t, b)
		same[rawNACL](t, b)
		same[rawSubnet](t, b)
		same[rawVPC](t, b)
		same[rawPrefixList](t, b)
	})
}

func same[T any](t *testing.T, b []byte) {
	var want, got T
	errWant := json.Unmarshal(b, &want)
	errGot := fastUnmarshal(b, &got)
	if (errWant == nil) != (errGot == nil) {
		t.Fatalf("%T: encoding/json err %v, fastUnmarshal err %v on %q", want, errWant, errGot, b)
	}
	if errWant == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%T decoded differently on %q:\nencoding/json %+v\nfast          %+v", want, b, want, got)
	}
}

// FuzzKeyChecker holds the duplicate-key scan to a reference built on
// encoding/json's token stream: for valid JSON, it reports a repeated key
// exactly when some object has two keys equal under case folding.
func FuzzKeyChecker(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"a":{"b":1},"c":{"b":2}}`, `[{"k":1},{"k":2}]`, `{"\u0041":1,"a":2}`, `{"K":1,"\u212a":2}`, `{"s":[{"x":"\"}"}],"S":0}`, `"str"`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var k keyChecker
		got := k.check(data) != nil
		if want := refHasDupKey(data); got != want {
			t.Fatalf("check found a repeat: %v, reference: %v", got, want)
		}
	})
}

func refHasDupKey(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj, wantKey bool
		keys         []string
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{obj: tok == json.Delim('{'), wantKey: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if top == nil || !top.obj {
			continue
		}
		if !top.wantKey {
			top.wantKey = true // a scalar value
			continue
		}
		key := tok.(string)
		for _, k := range top.keys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
		top.keys = append(top.keys, key)
		top.wantKey = false
	}
}
