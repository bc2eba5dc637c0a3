package render

import (
	"strconv"

	"github.com/walls-dev/walls/internal/netspace"
)

// protocolCell renders a protocol as JSON carries it ("tcp", "50", or
// flowlog's "unknown") for people: by name and number, as every human
// rendering does (netspace.ProtocolText): "esp (50)". JSON and CSV keep
// the number.
func protocolCell(s string) string {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 255 {
		return netspace.ProtocolText(uint8(n), uint8(n))
	}
	return s
}
