#!/bin/sh
# One-shot setup of the dev Vault for warden; docker-compose.yml runs it (service vault-init)
# once Vault and Postgres are healthy. Safe to run again. Secrets are passed on stdin (key=-),
# never as command-line arguments, and never printed.
set -eu

# Agents get short-lived JWTs from Vault's identity tokens; Envoy's jwt_authn verifies them
# against http://vault:8200/v1/identity/oidc/.well-known/keys (envoy/bootstrap.yaml).
vault write -force identity/oidc/config issuer=http://vault:8200 >/dev/null
vault write identity/oidc/key/agents allowed_client_ids='*' rotation_period=24h verification_ttl=24h >/dev/null
vault write identity/oidc/role/agent key=agents ttl=15m >/dev/null

# Dynamic Postgres credentials that warden injects into agents' database calls.
if ! vault secrets list -format=json | grep -q '"database/"'; then
  vault secrets enable database >/dev/null
fi
printf '%s' "$POSTGRES_PASSWORD" | vault write database/config/warden \
  plugin_name=postgresql-database-plugin \
  allowed_roles=agent-readonly \
  connection_url='postgresql://{{username}}:{{password}}@postgres:5432/warden?sslmode=disable' \
  username=postgres password=- >/dev/null
vault write database/roles/agent-readonly db_name=warden default_ttl=15m max_ttl=1h \
  creation_statements="CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";" >/dev/null

echo "vault-init: identity/oidc role 'agent' and database role 'agent-readonly' are ready"
