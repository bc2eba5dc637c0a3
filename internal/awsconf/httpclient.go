package awsconf

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// plainBodyClient sends requests whose body offers only Read and Close.
//
// The SDK wraps a request body in a reader that, once the SDK has closed
// it (right after the response headers arrive), answers WriteTo with
// io.EOF. net/http copies a body through WriteTo when it can, and checks
// for bytes beyond Content-Length with one more copy after the body is
// sent; an endpoint that answers quickly (a nearby VPC endpoint, a proxy,
// the test endpoint) lets that copy run after the close, net/http takes
// the io.EOF for a failed write and closes the connection under the
// response being read ("use of closed network connection"; reported as
// aws/aws-sdk-go-v2#2737, where the SDK only made the error retryable).
// Through Read alone, a closed body reads as a clean end of file. Load
// installs it, so every service client walls makes sends this way.
type plainBodyClient struct{ inner aws.HTTPClient }

func (c plainBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloser{req.Body}
	}
	return c.inner.Do(req)
}

type readCloser struct{ rc io.ReadCloser }

func (r readCloser) Read(p []byte) (int, error) { return r.rc.Read(p) }
func (r readCloser) Close() error               { return r.rc.Close() }

// withPlainBodies returns cfg sending through plainBodyClient.
func withPlainBodies(cfg aws.Config) aws.Config {
	if cfg.HTTPClient == nil {
		// The client each service would make for itself: the SDK's
		// transport (10 idle connections a host, its timeouts), not
		// net/http's default one (2 idle connections a host, so
		// concurrent S3 reads would keep opening connections).
		cfg.HTTPClient = awshttp.NewBuildableClient()
	}
	if _, ok := cfg.HTTPClient.(plainBodyClient); !ok {
		cfg.HTTPClient = plainBodyClient{inner: cfg.HTTPClient}
	}
	return cfg
}
