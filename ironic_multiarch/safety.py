# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

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
        directive = loader_directive(arg)
        if directive:
            raise exception.UnsafeValue(
                'kernel argument %r %s' % (arg, directive), node=node,
                arch=arch, option=option,
                example='"console=ttyS0,115200n8 nofb"')
    return args


def loader_directive(arg):
    """Why a kernel argument would change what a loader boots, or None.

    The allow-list of :func:`kernel_args` already keeps out everything
    GRUB and iPXE expand or split on (``$``, braces, quotes, ``\\``,
    ``;``, ``|``, ``&``, ``#``, ``*``, ``?``, white space). What is left are
    arguments that loaders read from the command line themselves:

    * ``initrd=``: pxelinux loads the last ``initrd=`` that starts a word
      of APPEND (syslinux ``find_argument``, comma-separated list);
      petitboot takes the first ``initrd=`` found anywhere in an APPEND
      value, in any case (``pxe-parser.c``: ``strcasestr``), over its
      INITRD line; the Linux EFI stub loads every ``initrd=`` file from
      its boot device (GRUB and iPXE on UEFI; iPXE's own script names
      its ramdisk that way). Any of them loads another ramdisk than the
      planned one, so an argument containing ``initrd=`` in any case is
      refused.
    * ``--``: the kernel hands everything after it to init, so arguments
      planned after it (console, ``BOOTIF``, ``boot_server``) would not
      reach the kernel.

    ``vga=``, ``mem=`` and ``quiet``, which pxelinux, iPXE and GRUB on
    x86 also read, mean there what they mean to the kernel, and stay
    allowed.

    :returns: the reason (a phrase), or ``None``.
    """
    if 'initrd=' in arg.lower():
        return ('would make the boot loader load another ramdisk than the '
                'planned one (pxelinux, petitboot and the Linux EFI stub '
                'read initrd= from the kernel command line); set the '
                'ramdisk with deploy_ramdisk or rescue_ramdisk instead')
    if arg == '--':
        return ('would hand every argument after it to init instead of '
                'the kernel')
    return None


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


def _authority_ok(match):
    """Whether a matched host and port are real: a bracketed host is an
    IPv6 address (no scope), a port is 1-65535."""
    host, port = match.group(1), match.group(2)
    if host.startswith('[') and not _ipv6(host[1:-1]):
        return False
    return not port or 0 < int(port[1:]) < 65536


def server(value, option, node=None, arch=None):
    """Return a server address, or raise.

    A host name, an IPv4 address or a bracketed IPv6 address, each with
    an optional port, or a plain IPv6 address (as Ironic's
    ``[pxe]tftp_server`` may be); :func:`url_host` brackets the latter
    for a URL. Between brackets only an IPv6 address is accepted.
    """
    if isinstance(value, str) and _ipv6(value):
        return value
    _check(_SERVER, value, 'server address', node, arch, option,
           '192.0.2.10')
    if not _authority_ok(_SERVER.fullmatch(value)):
        raise exception.UnsafeValue(
            'server address %r is not an address and port' % (value,),
            node=node, arch=arch, option=option,
            example='[2001:db8::10]' if '[' in value else '192.0.2.10')
    return value


def is_ipv6(value):
    """Whether a server address checked by :func:`server` is an IPv6
    address, plain or bracketed (with or without a port)."""
    if _ipv6(value):
        return True
    match = _SERVER.fullmatch(value)
    return bool(match) and match.group(1).startswith('[')


def url_host(value):
    """Return a server address checked by :func:`server` as a URL host.

    A plain IPv6 address is bracketed (``[2001:db8::1]``), as Ironic's
    ``netutils.escape_ipv6`` does; anything else is returned unchanged.
    """
    return '[%s]' % value if _ipv6(value) else value


def url(value, option, node=None, arch=None):
    """Return an http(s) base URL with no trailing slash, or raise."""
    value = value.rstrip('/') if isinstance(value, str) else value
    _check(_URL, value, 'URL', node, arch, option, 'http://192.0.2.10:8080')
    if not _authority_ok(_URL.fullmatch(value)):
        raise exception.UnsafeValue(
            'URL %r has no valid host and port' % (value,), node=node,
            arch=arch, option=option,
            example=('http://[2001:db8::10]:8080' if '[' in value
                     else 'http://192.0.2.10:8080'))
    return value


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

