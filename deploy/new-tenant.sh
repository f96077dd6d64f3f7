#!/usr/bin/env bash
# Creates tenants/<name>/ from tenant-template/: tenant.toml with the id filled in and a
# secrets.toml (mode 0600) holding a fresh 32-byte JWT secret. Refuses to overwrite.
set -euo pipefail
name="${1:?usage: new-tenant.sh <name>}"
if ! [[ "$name" =~ ^[a-z0-9-]{2,32}$ ]]; then
  echo "error: tenant name must match ^[a-z0-9-]{2,32}\$ (got '$name')" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${TENANTS_DIR:-$root/tenants}/$name"
if [ -e "$dir" ]; then
  echo "error: $dir already exists; not overwriting" >&2
  exit 1
fi
mkdir -p "$dir/branding"
sed "s/<tenant-id>/$name/" "$root/tenant-template/tenant.toml" > "$dir/tenant.toml"
secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
umask 077
sed "s/<64 hex characters: openssl rand -hex 32>/$secret/" "$root/tenant-template/secrets.toml.example" > "$dir/secrets.toml"
chmod 600 "$dir/secrets.toml"
echo "Created $dir"
echo
echo "Fill in these placeholders in $dir/tenant.toml:"
grep -n '<[^>]*>' "$dir/tenant.toml" | grep -v '^[0-9]*:[[:space:]]*#' | sed 's/^/  line /'
echo
echo "and in $dir/secrets.toml (POS and SMTP credentials):"
grep -n '<[^>]*>' "$dir/secrets.toml" | grep -v '^[0-9]*:[[:space:]]*#' | sed 's/^/  line /' || true
echo
echo "Then check it:  fluxion config check $dir/tenant.toml"
