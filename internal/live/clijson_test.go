package live

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCLIJSONStrings(t *testing.T) {
	type item struct {
		S    *string
		When *time.Time
		N    *int32
		None *string
		L    []string
	}
	s := "a \"q\" \\ <&> é\n\t\x01"
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	n := int32(-1)
	var b strings.Builder
	if err := writeCLIJSON(&b, "Items", []item{{S: &s, When: &when, N: &n, L: []string{}}}); err != nil {
		t.Fatal(err)
	}
	want := `{
    "Items": [
        {
            "S": "a \"q\" \\ <&> é\n\t\u0001",
            "When": "2024-05-01T12:00:00+00:00",
            "N": -1,
            "L": []
        }
    ]
}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	var back struct{ Items []struct{ S string } }
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back.Items[0].S != s {
		t.Errorf("round trip %q, %v", back.Items[0].S, err)
	}
	b.Reset()
	bad := "x\xffy"
	writeCLIJSON(&b, "Items", []item{{S: &bad}})
	if !strings.Contains(b.String(), "\"x\ufffdy\"") {
		t.Errorf("invalid UTF-8 written as %s", b.String())
	}
}
