#!/bin/sh
# Entry point of the container image: ./mailpipe's `run` without Maven. It runs from the image's
# layout, this script beside lib/ (in the image /opt/mailpipe; deploy/target/image after
# `./mailpipe mvn -DskipTests package`, which ContainerEntrypointIT runs).
set -eu
home=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
  run) shift ;;
esac
case "${1:-}" in
  ingest-smtp) main=dev.mailpipe.ingest.IngestSmtpApp ;;
  expander) main=dev.mailpipe.expander.ExpanderApp ;;
  mx-deliverer) main=dev.mailpipe.deliverer.MxDelivererApp ;;
  webhooks) main=dev.mailpipe.webhooks.WebhooksApp ;;
  web) main=dev.mailpipe.web.WebApp ;;
  accounts) main=dev.mailpipe.ingest.accounts.AccountsCli ;;
  replay) main=dev.mailpipe.deliverer.replay.ReplayCli ;;
  webhooks-cli) main=dev.mailpipe.webhooks.WebhooksCli ;;
  queue) main=dev.mailpipe.deliverer.queue.QueueCli ;;
  stats) main=dev.mailpipe.web.StatsCli ;;
  *) echo "usage: run ingest-smtp|expander|mx-deliverer|webhooks|web | accounts ... | replay ... | webhooks-cli ... | queue ... | stats ..." >&2; exit 2 ;;
esac
shift
# JAVA_OPTS: the manifests set -Xms/-Xmx to match the container's memory limit.
exec java ${JAVA_OPTS:-"-XX:MaxRAMPercentage=75"} -cp "$home/lib/*" "$main" "$@"
