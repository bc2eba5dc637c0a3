package awstest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// serveSTS answers STS's query-protocol calls: GetCallerIdentity and
// AssumeRole. Errors use STS's <ErrorResponse> document.
func (s *EC2) serveSTS(w http.ResponseWriter, r *http.Request, action string, id identity, known bool, fault int) {
	if stsDialect.refuse(w, fault, known) {
		return
	}
	var b xmlBuf
	switch action {
	case "GetCallerIdentity":
		b.open("GetCallerIdentityResult")
		b.text("Account", id.account)
		b.text("Arn", id.arn)
		b.text("UserId", "AIDAWALLSTEST")
		b.close("GetCallerIdentityResult")
	case "AssumeRole":
		arn := r.PostForm.Get("RoleArn")
		session := r.PostForm.Get("RoleSessionName")
		s.mu.Lock()
		ok := s.roles[arn]
		s.mu.Unlock()
		account := roleAccount(arn)
		if !ok || account == "" {
			stsError(w, http.StatusForbidden, "AccessDenied", "User: "+id.arn+" is not authorized to perform: sts:AssumeRole on resource: "+arn)
			return
		}
		key := "ASIA" + strings.ToUpper(randomHex(8))
		s.mu.Lock()
		s.keys[key] = identity{account: account, arn: "arn:aws:sts::" + account + ":assumed-role/" + roleName(arn) + "/" + session}
		s.mu.Unlock()
		b.open("AssumeRoleResult")
		b.open("AssumedRoleUser")
		b.text("Arn", "arn:aws:sts::"+account+":assumed-role/"+roleName(arn)+"/"+session)
		b.text("AssumedRoleId", "AROAWALLSTEST:"+session)
		b.close("AssumedRoleUser")
		b.open("Credentials")
		b.text("AccessKeyId", key)
		b.text("Expiration", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		b.text("SecretAccessKey", "assumed-secret-"+randomHex(16))
		b.text("SessionToken", "assumed-token-"+randomHex(24))
		b.close("Credentials")
		b.close("AssumeRoleResult")
	default:
		stsError(w, http.StatusBadRequest, "InvalidAction", "Could not find operation "+action)
		return
	}
	stsDialect.result(w, action, b.Bytes())
}

// AssumedKeys returns the access key ids AssumeRole handed out, so tests
// can check they were never printed or written.
func (s *EC2) AssumedKeys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.keys {
		if strings.HasPrefix(k, "ASIA") {
			out = append(out, k)
		}
	}
	return out
}

// stsError writes STS's error document.
var stsError = stsDialect.error

// roleAccount is the account of arn:aws:iam::ACCOUNT:role/NAME.
func roleAccount(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return ""
	}
	return parts[4]
}

func roleName(arn string) string {
	i := strings.LastIndex(arn, "/")
	return arn[i+1:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
