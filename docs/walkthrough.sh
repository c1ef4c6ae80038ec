#!/usr/bin/env bash
# The README's walkthrough, runnable top to bottom against a started service:
#
#   npm start                                   # in another terminal
#   bash docs/walkthrough.sh                    # BASE_URL, API_KEY, OUTBOX_DIR as below
#
# Every call checks its status and stops the script at the first surprise, so this file is
# also a test (test/e2e/walkthrough.e2e.spec.ts runs it against a fresh service), and the
# README's examples are excerpts of it (a test checks that they still are). Needs curl and jq.
set -euo pipefail

U=${BASE_URL:-http://localhost:3000}
KEY=${API_KEY:-$(cat "${DATA_DIR:-./data}/admin-api-key")}
OUTBOX=${OUTBOX_DIR:-${DATA_DIR:-./data}/outbox}   # the embedded default writes each email here
RUN=$(date +%s%N | tail -c 9)                       # names and emails unique per run
TODAY=$(date -u +%F)
IN_30_DAYS=$(date -u -d '+30 days' +%F)
H="Authorization: Bearer $KEY"; J="Content-Type: application/json"

# call METHOD PATH [JSON] [HEADER...]: prints the answer; stops unless the status is 2xx or $EXPECT.
call() {
  local method=$1 path=$2 body=${3:-} out status
  shift $(($# < 3 ? $# : 3))
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$U$path" "$@" ${body:+-H "$J" --data-binary "$body"})
  if [[ ! $status =~ ^${EXPECT:-2[0-9][0-9]}$ ]]; then
    echo "walkthrough: $method $path answered $status, expected ${EXPECT:-2xx}:" >&2; cat "$out" >&2; echo >&2; rm -f "$out"; return 1
  fi
  cat "$out"; echo; rm -f "$out"
}
staff() { call "$1" "$2" "${3:-}" -H "$H"; }
as() { local token=$1; shift; call "$1" "$2" "${3:-}" -H "Authorization: Bearer $token"; }
anonymous() { call "$1" "$2" "${3:-}"; }
# The token in the newest email to $1 with a link (to page $2, any by default): accept or reset.
token_for() { grep -l "^To: .*$1" "$OUTBOX"/*.eml | xargs -r grep -l "${2:-}?token=" | xargs -r ls -t | head -1 | xargs -r grep -ho "${2:-}?token=[A-Za-z0-9_-]*" | head -1 | sed 's/.*token=//' | grep .; }
# Whether background work (an import) has completed.
completed() { staff GET "$1" | jq -e '.status == "completed"' >/dev/null; }
# Repeats a call until it succeeds: for work the service finishes in the background.
eventually() { local out; for _ in $(seq 1 100); do if out=$("$@" 2>/dev/null); then printf '%s\n' "$out"; return 0; fi; sleep 0.1; done; "$@"; }

# --- directory ---
CLIENT=$(staff POST /v1/clients '{"name":"Acme Logistics"}' | jq -r .id)
OTHER=$(staff POST /v1/clients '{"name":"Beta Retail","email":"office@beta.example"}' | jq -r .id)
CONTACT=$(staff POST /v1/clients/$CLIENT/contacts "{\"name\":\"Ana Souza\",\"email\":\"ana.$RUN@acme.example\"}" | jq -r .id)
BO=$(staff POST /v1/clients/$CLIENT/contacts "{\"name\":\"Bo Berg\",\"email\":\"bo.$RUN@acme.example\"}" | jq -r .id)
staff GET "/v1/contacts?clientId=$CLIENT&q=SOUZA"   # search by name: any word's prefix; accents, case,
staff GET "/v1/clients?q=acme&limit=20"             # full-width forms and katakana/hiragana folded
staff PATCH /v1/clients/$CLIENT '{"address":{"line1":"Av. Paulista, 1000","city":"São Paulo","country":"BR"}}'
staff PATCH /v1/organization/settings '{"portalDocumentVisibility":"company","notificationEmail":"ops@agency.example"}'

# --- portal access ---
PORTAL=$(staff GET /v1/portals | jq -r '.items[] | select(.isDefault) | .id')
MANAGER=$(staff POST /v1/portals/$PORTAL/user-types "{\"name\":\"Client manager $RUN\",\"modules\":{\"shifts\":{\"view\":true},\"timesheets\":{\"view\":true,\"create\":true,\"approve\":true},\"quotes\":{\"view\":true,\"approve\":true},\"invoices\":{\"view\":true,\"approve\":true}}}" | jq -r .id)
POS=$(staff POST /v1/contacts/$CONTACT/portal-access/invite "{\"userTypeId\":\"$MANAGER\"}" | jq .position)
staff GET "/v1/contacts/$CONTACT/portal-access?minPosition=$POS"   # status: Invited
TOKEN=$(eventually token_for "ana.$RUN@acme.example")
anonymous POST /v1/portal/invitations/accept "{\"token\":\"$TOKEN\",\"password\":\"correct horse battery\"}"
S=$(anonymous POST /v1/portal/sessions "{\"email\":\"ana.$RUN@acme.example\",\"password\":\"correct horse battery\"}" | jq -r .token)
as "$S" GET /v1/portal/me
as "$S" PATCH /v1/portal/me/preferences '{"language":"pt-BR","timeZone":"America/Sao_Paulo"}'
as "$S" PATCH /v1/portal/me '{"phone":"+55 11 91234-5678"}'   # its own name and phone; staff are notified
staff POST /v1/contacts/$BO/portal-access/invite "{\"userTypeId\":\"$MANAGER\"}"
anonymous POST /v1/portal/invitations/accept "{\"token\":\"$(eventually token_for "bo.$RUN@acme.example")\",\"password\":\"another long passphrase\"}"
S2=$(anonymous POST /v1/portal/sessions "{\"email\":\"bo.$RUN@acme.example\",\"password\":\"another long passphrase\"}" | jq -r .token)
staff POST /v1/contacts/$BO/portal-access/disable '{"reason":"on leave"}'
EXPECT=401 as "$S2" GET /v1/portal/me                          # its sessions end at once
staff POST /v1/contacts/$BO/portal-access/enable                # back to Active
S2=$(anonymous POST /v1/portal/sessions "{\"email\":\"bo.$RUN@acme.example\",\"password\":\"another long passphrase\"}" | jq -r .token)
staff GET "/v1/audit?subjectId=$BO"                             # who did what, when

# --- organizations and keys ---
# operator admins create organizations; each gets its first admin key (shown once)
staff POST /v1/organizations '{"name":"Tokyo Staffing KK","timeZone":"Asia/Tokyo"}'
# keys carry a role: admin, agent (directory and invitations), auditor (audit only), reporter (reads only)
REPORTER=$(staff POST /v1/api-keys "{\"name\":\"payroll sync $RUN\",\"role\":\"reporter\"}" | jq -r .key)
AUDITOR=$(staff POST /v1/api-keys "{\"name\":\"auditors $RUN\",\"role\":\"auditor\"}" | jq -r .key)   # agents and reporters get 403

# --- portals ---
ACME_PORTAL=$(staff POST /v1/portals "{\"name\":\"Acme clients\",\"slug\":\"acme-$RUN\",\"defaultLanguage\":\"pt-BR\",\"selfRegistration\":true}" | jq -r .id)
staff PUT /v1/portals/$ACME_PORTAL/templates/ja '{"subject":"ご招待","body":"{{contactName}} 様 {{acceptUrl}}"}'
TYPE=$(staff POST /v1/portals/$ACME_PORTAL/user-types '{"name":"Approver","modules":{"timesheets":{"view":true,"approve":true}}}' | jq -r .id)
staff GET "/v1/portals/$ACME_PORTAL/preview?userTypeId=$TYPE"
staff POST /v1/contacts/$CONTACT/portal-access/invite "{\"portalId\":\"$ACME_PORTAL\",\"userTypeId\":\"$TYPE\",\"language\":\"ja\"}"
staff PUT /v1/contacts/$CONTACT/portal-access/user-type "{\"portalId\":\"$ACME_PORTAL\",\"userTypeId\":null}"
# the primary contact (first added) of each company, or each contact; skipped entries say why
staff POST /v1/portal-access/bulk-invite "{\"clientIds\":[\"$CLIENT\",\"$OTHER\"],\"portalId\":\"$ACME_PORTAL\"}"

# --- self-registration ---
# public: always 202 with the same body (unknown portal, registration off, known email); 10 per 15 min per address
anonymous POST /v1/portal/registrations "{\"portalSlug\":\"acme-$RUN\",\"email\":\"cy.$RUN@gamma.example\",\"name\":\"Cy Gale\",\"companyName\":\"Gamma AB\"}"
REG=$(eventually staff GET "/v1/portals/$ACME_PORTAL/registrations?status=Pending" | jq -er '.items[0].id')
staff POST /v1/registrations/$REG/approve   # company + contact + invitation email; or {"clientId":..,"userTypeId":..}

# --- import ---
CSV=$(mktemp)
printf 'company_name,contact_name,contact_email,associated_companies\nDelta GmbH,Dirk Dahl,dirk.%s@delta.example,Acme Logistics\n' "$RUN" > "$CSV"
IMPORT=$(call POST /v1/imports/contacts '' -H "$H" -H 'Content-Type: text/csv' --data-binary @"$CSV" | jq -r .id)
eventually completed /v1/imports/$IMPORT          # 202 at once; applied in the background
rm -f "$CSV"

# --- quotes and invoices ---
Q=$(staff POST /v1/quotes "{\"clientId\":\"$CLIENT\",\"number\":\"Q-$RUN\",\"issueDate\":\"$TODAY\",\"validUntil\":\"$IN_30_DAYS\",\"currency\":\"BRL\",\"lines\":[{\"description\":\"Staff (hours)\",\"quantity\":\"160\",\"unitPrice\":\"45.50\"}],\"tax\":\"728.00\",\"link\":\"https://erp.example/q/42\"}" | jq -r .id)
as "$S" POST /v1/portal/quotes/$Q/accept           # after validUntil, end of day, organization time zone: 409 quote-expired
EXPECT=409 as "$S" POST /v1/portal/quotes/$Q/decline '{"reason":"over budget"}'   # decided: final (409 quote-decided)
I=$(staff POST /v1/invoices "{\"clientId\":\"$CLIENT\",\"number\":\"INV-$RUN\",\"issueDate\":\"$TODAY\",\"dueDate\":\"$IN_30_DAYS\",\"currency\":\"EUR\",\"lines\":[{\"description\":\"March\",\"quantity\":\"1\",\"unitPrice\":\"100.00\"}],\"link\":\"https://erp.example/i/7\"}" | jq -r .id)
as "$S" POST /v1/portal/invoices/$I/payments '{"amount":"40.00","method":"bank-transfer","reference":"TRX-1"}'   # partial
EXPECT=422 staff POST /v1/invoices/$I/payments '{"amount":"60.01","method":"cash","reference":"desk"}'   # more than the balance: 422 overpayment
staff POST /v1/invoices/$I/payments '{"amount":"60.00","method":"cash","reference":"desk"}'              # paid in full: closed
EXPECT=409 staff POST /v1/invoices/$I/payments '{"amount":"1.00","method":"cash","reference":"late"}'    # 409 invoice-paid

# --- shifts and timesheets ---
staff POST /v1/shifts "{\"clientId\":\"$CLIENT\",\"staffMember\":{\"name\":\"Jonas Weber\"},\"start\":\"${TODAY}T08:00:00+02:00\",\"end\":\"${TODAY}T16:30:00+02:00\",\"location\":\"Lager Nord\",\"role\":\"Forklift driver\"}"
as "$S" GET /v1/portal/shifts
T=$(as "$S" POST /v1/portal/timesheets "{\"staffMember\":{\"name\":\"Jonas Weber\"},\"entries\":[{\"date\":\"$TODAY\",\"start\":\"08:00\",\"end\":\"16:30\",\"breakMinutes\":30}]}" | jq -r .id)
as "$S2" POST /v1/portal/timesheets/$T/approve      # or /reject {"reason"}; approved is final

# --- collaboration ---
as "$S" POST /v1/portal/documents/$Q/comments '{"text":"Can we start on the 2nd?"}'
POS=$(as "$S" GET /v1/portal/documents/$Q | jq .position)   # opening it marks it viewed
staff GET "/v1/documents/$Q?minPosition=$POS" | jq -e '.viewed.firstViewedAt and .viewed.viewCount >= 1'   # viewed: {firstViewedAt, lastViewedAt, viewCount, ...}
staff GET "/v1/clients/$CLIENT/documents?viewed=false"   # not yet opened by the client
N=$(staff GET "/v1/notifications?status=unread&minPosition=$POS" | jq -r '.items[0].id')
staff POST /v1/notifications/$N/read
staff GET "/v1/approvals?clientId=$CLIENT"         # approvals queue: pending timesheets and quotes
as "$S2" GET /v1/portal/approvals                  # what this portal user may decide

# --- projects ---
P=$(staff POST /v1/projects '{"name":"Warehouse move","billingMethod":"staff-hours"}' | jq -r .id)
staff POST /v1/projects/$P/clients "{\"clientId\":\"$CLIENT\"}"   # the first company added is the primary client
staff POST /v1/projects/$P/clients "{\"clientId\":\"$OTHER\"}"    # then plain clients ({"primary":true} to change that)
staff POST /v1/projects/$P/client-users "{\"contactId\":\"$CONTACT\",\"hourlyRate\":{\"amount\":\"45.50\",\"currency\":\"BRL\"}}"   # 422 rate-not-applicable unless billed by staff hours
staff POST /v1/projects/$P/client-users "{\"contactId\":\"$BO\"}"
DEE=$(staff POST /v1/clients/$OTHER/contacts "{\"name\":\"Dee Lund\",\"email\":\"dee.$RUN@beta.example\"}" | jq -r .id)
staff POST /v1/projects/$P/client-users "{\"contactId\":\"$DEE\"}"   # no portal access yet: invited, the email lists the project
staff PUT /v1/contacts/$BO/hourly-rate '{"hourlyRate":{"amount":"40.00","currency":"BRL"}}'   # portal-level: where the project has none
staff PUT /v1/projects/$P/client-users/$BO/permissions '{"modules":{"quotes":{"view":true},"projects":{"view":true}}}'   # this project only
staff POST /v1/projects/$P/client-users/$BO/permissions/clone "{\"contactIds\":[\"$DEE\"]}"
staff GET /v1/projects/$P/client-users/$DEE/permissions          # {modules, source: {kind: "project", clonedFrom}}
staff DELETE /v1/projects/$P/client-users/$DEE/permissions       # back to its user type's
PQ=$(staff POST /v1/quotes "{\"clientId\":\"$CLIENT\",\"projectId\":\"$P\",\"number\":\"PQ-$RUN\",\"issueDate\":\"$TODAY\",\"validUntil\":\"$IN_30_DAYS\",\"currency\":\"BRL\",\"lines\":[{\"description\":\"Move crew (hours)\",\"quantity\":\"40\",\"unitPrice\":\"45.50\"}],\"link\":\"https://erp.example/q/43\"}" | jq -r .id)
as "$S2" GET /v1/portal/projects                       # only the projects it belongs to, with what it may do there
EXPECT=403 as "$S2" POST /v1/portal/quotes/$PQ/accept   # its permissions in the project do not allow approve
as "$S" POST /v1/portal/quotes/$PQ/accept               # Ana's user type's permissions apply in the project
staff DELETE /v1/projects/$P/client-users/$BO '{"notify":true}'
EXPECT=404 as "$S2" GET /v1/portal/quotes/$PQ           # out of the project: at once, same session
staff DELETE /v1/projects/$P/clients/$CLIENT            # its client users leave too; it was the primary: none now
EXPECT=409 staff POST /v1/invoices "{\"clientId\":\"$OTHER\",\"projectId\":\"$P\",\"number\":\"PI-$RUN\",\"issueDate\":\"$TODAY\",\"dueDate\":\"$IN_30_DAYS\",\"currency\":\"BRL\",\"lines\":[{\"description\":\"Move\",\"quantity\":\"1\",\"unitPrice\":\"900.00\"}],\"link\":\"https://erp.example/i/8\"}"   # project-has-no-primary-client
staff PUT /v1/projects/$P/primary-client "{\"clientId\":\"$OTHER\"}"   # invoices for the project are addressed to it
staff POST /v1/projects/from-deal "{\"dealName\":\"Harbour $RUN\",\"company\":{\"clientId\":\"$OTHER\"},\"contacts\":[{\"name\":\"Eva Holm\",\"email\":\"eva.$RUN@beta.example\"}]}"

# --- sessions ---
S3=$(anonymous POST /v1/portal/sessions "{\"email\":\"ana.$RUN@acme.example\",\"password\":\"correct horse battery\"}" | jq -r .token)
as "$S3" POST /v1/portal/sessions/current/sign-out   # 204: this session only
EXPECT=401 as "$S3" GET /v1/portal/me
as "$S" GET /v1/portal/me                            # her other sessions go on
as "$S2" POST /v1/portal/sessions/all/sign-out       # every session of the user (an event)
EXPECT=401 as "$S2" GET /v1/portal/me

# --- a contact moves ---
# Ana is associated with Beta, then Beta becomes her primary company and she leaves Acme:
# from her next request she sees Beta's documents and no longer Acme's.
staff POST /v1/contacts/$CONTACT/associations "{\"clientId\":\"$OTHER\"}"
staff PUT /v1/contacts/$CONTACT/primary-client "{\"clientId\":\"$OTHER\"}"
staff DELETE "/v1/contacts/$CONTACT/associations/$CLIENT?documents=keep"   # 409 for the primary; move: its documents go to its primary company
as "$S" GET /v1/portal/me | jq -e ".clientIds == [\"$OTHER\"]"
EXPECT=404 as "$S" GET /v1/portal/quotes/$Q
# archiving: leaves the lists; contacts whose only company it was lose portal access
staff DELETE /v1/clients/$CLIENT                   # {revokedAccesses, changedAccesses}

# --- reports ---
as "$REPORTER" GET /v1/reports/portal-access                     # {items: [{portalId, clientId, invited, active, disabled, revoked, total}], totals}
as "$REPORTER" GET "/v1/reports/invitations?from=$TODAY&to=$IN_30_DAYS"   # per portal and week: invited, accepted, pending, expired, withdrawn, resends, timeToAccept{Median,P90}Seconds
as "$REPORTER" GET "/v1/reports/approvals?clientId=$OTHER"       # timesheets and quotes per company, kind and week: submitted, approved, rejected, pending, expired, withdrawn, timeToDecide..., hoursApproved
as "$REPORTER" GET /v1/reports/documents                         # shared vs viewed per company and kind, timeToFirstView...
as "$REPORTER" GET "/v1/reports/invoices?format=csv"             # or Accept: text/csv: RFC 4180, a header row; per company and currency

# --- routes the pages use, open to any front end ---
anonymous POST /v1/portal/invitations/describe "{\"token\":\"$TOKEN\"}"   # who invited, portal, person, language, status: valid|used|superseded|expired|access-not-invited
anonymous POST /v1/portal/password-reset "{\"email\":\"ana.$RUN@acme.example\"}"
RESET=$(eventually token_for "ana.$RUN@acme.example" reset-password)
anonymous POST /v1/portal/password-reset/describe "{\"token\":\"$RESET\"}"   # whose account, language, status
as "$AUDITOR" GET "/v1/audit/subjects?q=souza"                   # contacts and companies by name or email, anything by id (audit:read)
as "$AUDITOR" GET /v1/audit/subjects/$OTHER                      # a subject and its related ones (a company's contacts and documents)

# --- audit: as of an instant, export, verify, erasure ---
NOW=$(date -u +%FT%TZ)
as "$AUDITOR" GET "/v1/contacts/$CONTACT?asOf=$NOW"              # {state, events:[{position,type,occurredAt,actor,onBehalfOf,channel}]}
as "$AUDITOR" GET "/v1/contacts/$CONTACT/portal-access/permissions?asOf=$NOW"   # {status, modules, source:{kind,...}, events}
as "$AUDITOR" GET "/v1/audit?subjectId=$CONTACT&type=ContactInvited,PortalAccessDisabled&order=desc"   # nextCursor / prevCursor; also from, to, actorId
as "$AUDITOR" GET "/v1/audit/export?format=jsonl&subjectId=$CONTACT" | wc -l   # streamed JSONL; recorded as AuditExported
as "$AUDITOR" GET /v1/audit/verify                               # {ok:true, events, anchors} or {ok:false, firstBroken:{position,streamName,eventId,expected,found,reason}}
staff POST /v1/contacts/$DEE/erase                               # crypto-shredding (admin)
echo "walkthrough: done"
