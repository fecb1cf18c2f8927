#!/bin/sh
# Entry point of the container image: ./mailpipe's `run` without Maven.
set -eu
case "${1:-}" in
  run) shift ;;
esac
case "${1:-}" in
  ingest-smtp) main=dev.mailpipe.ingest.IngestSmtpApp ;;
  expander) main=dev.mailpipe.expander.ExpanderApp ;;
  mx-deliverer) main=dev.mailpipe.deliverer.MxDelivererApp ;;
  accounts) main=dev.mailpipe.ingest.accounts.AccountsCli ;;
  *) echo "usage: run ingest-smtp|expander|mx-deliverer | accounts ..." >&2; exit 2 ;;
esac
shift
exec java ${JAVA_OPTS:-"-XX:MaxRAMPercentage=75"} -cp "/opt/mailpipe/lib/*" "$main" "$@"
