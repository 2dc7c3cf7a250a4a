# Sourced by the image build's RUN steps (POSIX sh): lets uv use the certificate that a
# mounted /etc/pip.conf names (global.cert), as pip does by itself. Names no host.
if [ -r /etc/pip.conf ]; then
    _cert=$(python3 -c "import configparser as c; p = c.ConfigParser(); p.read('/etc/pip.conf'); print(p.get('global', 'cert', fallback=''))")
    if [ -n "$_cert" ] && [ -r "$_cert" ]; then
        export SSL_CERT_FILE="$_cert"
    fi
    unset _cert
fi
