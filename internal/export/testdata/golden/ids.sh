#!/usr/bin/env bash
# walls export test
#
# New rules are authorized first, then the rules that go are revoked, so that no
# moment allows less than the proposal. Rules that stay are left as they are.
set -euo pipefail

# 1. Authorize the new rules.

# sg-0a0000000000000a1 (web tier): new: tcp 443 to 0.0.0.0/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 0.0.0.0/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a1 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"app \"tier\" ${var.x} %{if} '\''q'\'' é → ✓ $HOME \\ back"}]}]'

# sg-0a0000000000000a1 (web tier): new: tcp all ports to sg-0a0000000000000a2
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to sg-0a0000000000000a2
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a1 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":0,"ToPort":65535,"UserIdGroupPairs":[{"GroupId":"sg-0a0000000000000a2","Description":"app, all ports"}]}]'

# sg-0a0000000000000a1 (web tier): new: icmpv6 all types to ::/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to ::/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a1 \
  --ip-permissions '[{"IpProtocol":"icmpv6","FromPort":-1,"ToPort":-1,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'

# sg-0a0000000000000a1 (web tier): new: udp 1024-65535 to 2001:db8::/32
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 2001:db8::/32
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a1 \
  --ip-permissions '[{"IpProtocol":"udp","FromPort":1024,"ToPort":65535,"Ipv6Ranges":[{"CidrIpv6":"2001:db8::/32","Description":"it'\''s"}]}]'

# sg-0a0000000000000a2 (app): new: tcp 443 to pl-0123456789abcdef0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to pl-0123456789abcdef0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a2 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"PrefixListIds":[{"PrefixListId":"pl-0123456789abcdef0","Description":"s3"}]}]'

# sg-0a0000000000000a2 (app): new: 132 to pl-0123456789abcdef0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to pl-0123456789abcdef0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a2 \
  --ip-permissions '[{"IpProtocol":"132","PrefixListIds":[{"PrefixListId":"pl-0123456789abcdef0","Description":"sctp"}]}]'

# sg-0a0000000000000a2 (app): new: tcp 8443 to sg-0b00000000000000b
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 111122223333/sg-0b00000000000000b
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a2 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":8443,"ToPort":8443,"UserIdGroupPairs":[{"GroupId":"sg-0b00000000000000b","UserId":"111122223333","Description":"peer"}]}]'

# sg-0a0000000000000a2 (app): new: icmp type 3 code 4 to 10.0.0.0/8
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.0/8
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
aws ec2 authorize-security-group-egress --group-id sg-0a0000000000000a2 \
  --ip-permissions '[{"IpProtocol":"icmp","FromPort":3,"ToPort":4,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}]'

# 2. Revoke the rules that go.

# sg-0a0000000000000a1 (web tier): goes: all to 0.0.0.0/0 (sgr-0000000000000a101)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a1 \
  --security-group-rule-ids sgr-0000000000000a101

# sg-0a0000000000000a1 (web tier): goes: all to ::/0 (sgr-0000000000000a102)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a1 \
  --security-group-rule-ids sgr-0000000000000a102

# sg-0a0000000000000a1 (web tier): goes: all to sg-0a0000000000000a2 (sgr-0000000000000a103)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a1 \
  --security-group-rule-ids sgr-0000000000000a103

# sg-0a0000000000000a2 (app): goes: tcp all ports to 0.0.0.0/0 (sgr-0000000000000a201)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a2 \
  --security-group-rule-ids sgr-0000000000000a201

# sg-0a0000000000000a2 (app): goes: all to pl-0123456789abcdef0 (sgr-0000000000000a203)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a2 \
  --security-group-rule-ids sgr-0000000000000a203

# sg-0a0000000000000a2 (app): goes: all to sg-0b00000000000000b (sgr-0000000000000a204)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a2 \
  --security-group-rule-ids sgr-0000000000000a204

# sg-0a0000000000000a2 (app): goes: icmp all types to 10.0.0.0/8 (sgr-0000000000000a205)
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a2 \
  --security-group-rule-ids sgr-0000000000000a205

# sg-0a0000000000000a3 (db): goes: all to 0.0.0.0/0
aws ec2 revoke-security-group-egress --group-id sg-0a0000000000000a3 \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
