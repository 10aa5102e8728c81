#!/bin/sh
# perch-tls-copy [HOST]: gives Mosquitto's TLS listener (port 8883) the current certificate of
# perch's host name, and restarts the broker when it changed. Boards reconnect by themselves.
#
# Mosquitto runs as the perch user and cannot read the files that certbot (/etc/letsencrypt,
# root only) or Caddy (/var/lib/caddy, caddy only) keep: this copies them to /etc/perch/tls,
# readable by the perch group. HOST defaults to the host of public_url in /etc/perch/perch.conf.
#
# Install (see docs/deploy.md):
#   install -m 755 deploy/perch-tls-copy.sh /usr/local/sbin/perch-tls-copy
#   with certbot: ln -s /usr/local/sbin/perch-tls-copy /etc/letsencrypt/renewal-hooks/deploy/perch-tls-copy
#   with Caddy:   echo '17 4 * * * root /usr/local/sbin/perch-tls-copy' > /etc/cron.d/perch-tls
set -eu

conf=${PERCH_CONFIG:-/etc/perch/perch.conf}
dst=/etc/perch/tls
host=${1:-}
if [ -z "$host" ] && [ -r "$conf" ]; then
	host=$(sed -n 's#^[[:space:]]*public_url[[:space:]]*=[[:space:]]*https\{0,1\}://\([^/:]*\).*#\1#p' "$conf" | tail -n 1)
fi
if [ -z "$host" ]; then
	echo "usage: perch-tls-copy HOST   (or set public_url in $conf)" >&2
	exit 2
fi

cert=""
key=""
if [ -f "/etc/letsencrypt/live/$host/fullchain.pem" ]; then
	cert=/etc/letsencrypt/live/$host/fullchain.pem
	key=/etc/letsencrypt/live/$host/privkey.pem
else
	# Caddy: certificates/<issuer>/<host>/<host>.crt; take the most recently renewed one.
	# shellcheck disable=SC2012 # the names are host names
	newest=$(ls -t /var/lib/caddy/.local/share/caddy/certificates/*/"$host"/"$host".crt 2>/dev/null | head -n 1 || true)
	if [ -n "$newest" ]; then
		cert=$newest
		key=${newest%.crt}.key
	fi
fi
if [ -z "$cert" ] || [ ! -f "$key" ]; then
	echo "perch-tls-copy: no certificate for $host from certbot or Caddy yet" >&2
	exit 1
fi

install -d -m 0750 -o root -g perch "$dst"
if cmp -s "$cert" "$dst/fullchain.pem" && cmp -s "$key" "$dst/privkey.pem"; then
	exit 0
fi
install -m 0644 -o root -g perch "$cert" "$dst/fullchain.pem"
install -m 0640 -o root -g perch "$key" "$dst/privkey.pem"
systemctl try-restart perch-mosquitto.service
echo "perch-tls-copy: certificate for $host installed in $dst; broker restarted"
