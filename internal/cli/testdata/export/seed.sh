#!/usr/bin/env bash
# Written by walls export --format awscli from the plan plan.json.
# Security groups that change: 1; egress rules to add: 4, that stay: 0, to remove: 1.
# Plan made against the inventory sha256:b0a206799403400a656edb30ff01e1ad3cde687de80e2d6401347661fd017704.
#
# New rules are authorized first, then the rules that go are revoked, so that no
# moment allows less than the proposal. Rules that stay are left as they are.
set -euo pipefail

# 1. Authorize the new rules.

# sg-0a1b2c3d4e5f60021 (batch-workers): new: tcp 21 to 0.0.0.0/0
# evidence: 2 observations, 4 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.21
#   seen 2026-11-24T08:05:00Z to 2026-11-24T08:11:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
aws ec2 authorize-security-group-egress --group-id sg-0a1b2c3d4e5f60021 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":21,"ToPort":21,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"walls learn: 4 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"}]}]'

# sg-0a1b2c3d4e5f60021 (batch-workers): new: tcp 80 to 0.0.0.0/0
# evidence: 2 observations, 4 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.10
#   seen 2026-11-24T08:00:00Z to 2026-11-24T08:06:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
aws ec2 authorize-security-group-egress --group-id sg-0a1b2c3d4e5f60021 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"walls learn: 4 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"}]}]'

# sg-0a1b2c3d4e5f60021 (batch-workers): new: tcp 443 to 0.0.0.0/0
# evidence: 4 observations, 16 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.10, 192.0.2.11
#   seen 2026-11-24T08:01:00Z to 2026-11-24T14:06:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
aws ec2 authorize-security-group-egress --group-id sg-0a1b2c3d4e5f60021 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"walls learn: 16 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"}]}]'

# sg-0a1b2c3d4e5f60021 (batch-workers): new: tcp 50013-50096 to 0.0.0.0/0
# evidence: 6 observations, 12 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.21
#   ports 50013, 50022, 50041, 50058, 50077, 50096
#   seen 2026-11-24T08:05:00Z to 2026-11-24T08:11:00Z
#   why: 6 distinct high ports to 192.0.2.21 merged into one range 50013-50096 (passive FTP data: the same remote is reached on port 21)
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
aws ec2 authorize-security-group-egress --group-id sg-0a1b2c3d4e5f60021 \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":50013,"ToPort":50096,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"walls learn: 12 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"}]}]'

# 2. Revoke the rules that go.

# sg-0a1b2c3d4e5f60021 (batch-workers): goes: all to 0.0.0.0/0
aws ec2 revoke-security-group-egress --group-id sg-0a1b2c3d4e5f60021 \
  --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
