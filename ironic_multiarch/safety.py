"""Validation of every value that reaches a boot file or a path.

Values from node fields are written into GRUB, pxelinux, petitboot and
iPXE files that firmware on machines we do not control will read. Each
value is checked against a strict allow-list before it is rendered, so no
newline, quote, ``;``, brace, ``$``, backslash or control character can
change the structure of a file, and no path can leave its root.
"""

import ipaddress
import posixpath
import re

from ironic_multiarch import exception

_UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}$')
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')
_CLIENT_ID = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){0,63}$')
#: one kernel argument: letters, digits and URL/option punctuation only.
_KERNEL_ARG = re.compile(r'^[A-Za-z0-9_.,:/=@%+~\[\]-]+$')
#: a file name: no separator, no leading dot.
_FILE_NAME = re.compile(r'^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,127}$')
#: an image reference: URL-ish, printable, no space or quote.
_HREF = re.compile(r"^[A-Za-z0-9_.~:/?#\[\]@!&()*+,;=%-]{1,2048}$")
#: a server address: host name, IPv4 or bracketed IPv6, optional port.
_SERVER = re.compile(r'^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$')
_URL = re.compile(r'^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)'
                  r'(:[0-9]{1,5})?(/[A-Za-z0-9_.~/%+-]*)?$')


def _check(pattern, value, what, node, arch, option, example):
    # fullmatch: ``$`` alone also matches before a trailing newline.
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise exception.UnsafeValue(
            '%s %r is not acceptable' % (what, value), node=node, arch=arch,
            option=option, example=example)
    return value


def uuid(value, arch=None):
    """Return a node UUID (lower-case canonical form) or raise."""
    return _check(_UUID, value.lower() if isinstance(value, str) else value,
                  'node UUID', value, arch, 'the node UUID',
                  '1be26c0b-03f2-4d2e-ae87-c02d7f33c123')


def mac(value, node=None, arch=None):
    """Return a MAC address in lower case with colons, or raise."""
    return _check(_MAC, value.lower() if isinstance(value, str) else value,
                  'MAC address', node, arch, 'the port address',
                  '52:54:00:12:34:56')


def client_id(value, node=None, arch=None):
    """Return a DHCP client id (hex bytes with colons), or raise."""
    return _check(_CLIENT_ID,
                  value.lower() if isinstance(value, str) else value,
                  'DHCP client id', node, arch,
                  "the port's extra client-id", 'ff:00:00:00:00:00:02:00')


def kernel_args(value, node, arch, option):
    """Split and check a kernel argument string.

    :returns: a tuple of arguments.
    :raises UnsafeValue: naming the first unsafe argument.
    """
    if not isinstance(value, str):
        raise exception.UnsafeValue('kernel arguments %r are not a string'
                                    % (value,), node=node, arch=arch,
                                    option=option, example='"nofb"')
    if any(ch in value for ch in '\t\r\n\v\f'):
        raise exception.UnsafeValue(
            'kernel arguments %r contain a line or tab break' % value,
            node=node, arch=arch, option=option,
            example='"console=ttyS0,115200n8 nofb"')
    args = tuple(value.split(' '))
    args = tuple(a for a in args if a)
    for arg in args:
        _check(_KERNEL_ARG, arg, 'kernel argument', node, arch, option,
               '"console=ttyS0,115200n8 nofb"')
    return args


def file_name(value, node, arch, option):
    """Return a loader or file name with no directory part, or raise."""
    return _check(_FILE_NAME, value, 'file name', node, arch, option,
                  'grubaa64.efi')


def href(value, node, arch, option):
    """Return an image reference with no space, quote or control char."""
    return _check(_HREF, value, 'image reference', node, arch, option,
                  'http://images.example.com/ipa-%s.kernel' % (arch or 'arch'))


def _ipv6(value):
    """Whether ``value`` is a plain (unbracketed) IPv6 address.

    A scope (``fe80::1%eth0``) is refused: it means nothing to another
    host and ``%`` would start an escape in a URL.
    """
    if '%' in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def server(value, option, node=None, arch=None):
    """Return a server address, or raise.

    A host name, an IPv4 address or a bracketed IPv6 address, each with
    an optional port, or a plain IPv6 address (as Ironic's
    ``[pxe]tftp_server`` may be); :func:`url_host` brackets the latter
    for a URL.
    """
    if isinstance(value, str) and _ipv6(value):
        return value
    return _check(_SERVER, value, 'server address', node, arch, option,
                  '192.0.2.10')


def url_host(value):
    """Return a server address checked by :func:`server` as a URL host.

    A plain IPv6 address is bracketed (``[2001:db8::1]``), as Ironic's
    ``netutils.escape_ipv6`` does; anything else is returned unchanged.
    """
    return '[%s]' % value if _ipv6(value) else value


def url(value, option, node=None, arch=None):
    """Return an http(s) base URL with no trailing slash, or raise."""
    value = value.rstrip('/') if isinstance(value, str) else value
    return _check(_URL, value, 'URL', node, arch, option,
                  'http://192.0.2.10:8080')


def relpath(*parts):
    """Join path parts into a normalised path relative to a root.

    :raises UnsafeValue: if the result is absolute, empty or leaves the
        root (``..``).
    """
    joined = posixpath.normpath(posixpath.join(*parts))
    if (joined.startswith('/') or joined == '.' or joined == '..'
            or joined.startswith('../') or '\x00' in joined):
        raise exception.UnsafeValue('path %r leaves its root' % joined,
                                    option='the file name',
                                    example='multiarch/aarch64/grubaa64.efi')
    return joined

