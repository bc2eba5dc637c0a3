package render

import (
	"strconv"
	"unicode/utf8"
)

// appendObservationJSON renders one observation exactly as
// json.MarshalIndent(j, "    ", "  ") does, without reflection: a large
// result is written several times faster (about 0.5 µs a row).
func appendObservationJSON(b []byte, j *observationJSON) []byte {
	const in = "\n      "
	str := func(b []byte, key, v string, omitEmpty bool) []byte {
		if omitEmpty && v == "" {
			return b
		}
		b = append(b, ',')
		b = append(b, in...)
		b = appendJSONString(b, key)
		b = append(b, ": "...)
		return appendJSONString(b, v)
	}
	num := func(b []byte, key string, v uint64) []byte {
		b = append(b, ',')
		b = append(b, in...)
		b = appendJSONString(b, key)
		b = append(b, ": "...)
		return strconv.AppendUint(b, v, 10)
	}
	list := func(b []byte, key string, vs []string) []byte {
		if len(vs) == 0 {
			return b
		}
		b = append(b, ',')
		b = append(b, in...)
		b = appendJSONString(b, key)
		b = append(b, ": ["...)
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in+"  "...)
			b = appendJSONString(b, v)
		}
		b = append(b, in...)
		return append(b, ']')
	}
	b = append(b, '{')
	b = append(b, in...)
	b = appendJSONString(b, "interfaceId")
	b = append(b, ": "...)
	b = appendJSONString(b, j.InterfaceID)
	b = str(b, "direction", j.Direction, false)
	b = str(b, "protocol", j.Protocol, false)
	b = num(b, "port", uint64(j.Port))
	b = str(b, "remote", j.Remote, false)
	b = str(b, "local", j.Local, true)
	if j.LocalUndetermined {
		b = append(b, ',')
		b = append(b, in...)
		b = append(b, `"localUndetermined": true`...)
	}
	b = str(b, "action", j.Action, false)
	b = num(b, "flows", j.Flows)
	b = num(b, "packets", j.Packets)
	b = num(b, "bytes", j.Bytes)
	b = str(b, "firstSeen", j.FirstSeen, true)
	b = str(b, "lastSeen", j.LastSeen, true)
	b = str(b, "confidence", j.Confidence, false)
	b = str(b, "instanceId", j.InstanceID, true)
	b = str(b, "subnetId", j.SubnetID, true)
	b = list(b, "securityGroups", j.SecurityGroups)
	b = str(b, "remoteInterfaceId", j.RemoteInterfaceID, true)
	b = list(b, "remoteSecurityGroups", j.RemoteSecurityGroups)
	return append(b, "\n    }"...)
}

// appendJSONString quotes s as encoding/json does by default: control
// characters, quotes and backslashes escaped, <, > and & as \u escapes,
// U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
