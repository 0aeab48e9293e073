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

"""A small model of petitboot's PXE discovery, to check ppc64le configs.

Petitboot (the OPAL boot loader of OpenPOWER machines) reads pxelinux
syntax itself. It is not packaged anywhere we can install, so this module
encodes its documented discovery and parsing rules, as read in petitboot's
own source (github.com/open-power/petitboot), and the tests feed it the
files and DHCP options the planner produces. Each rule names its source:

* ``discover/user-event.c`` ``user_event_parse_conf_url``: where the
  config is. Option 209 (``pxeconffile``) that is a URL is used as is;
  else option 210 (``pxepathprefix``) that is a URL is *string-prefixed*
  to 209; else ``tftp://HOST/`` where HOST is option 66 (``tftp``), then
  siaddr, then the DHCP server id (option 54), followed by 210 with its
  leading slashes stripped, or else by the directory of the bootfile
  (option 67) unless 209 starts with ``/``, then by 209.
* ``discover/user-event.c`` ``user_event_parse_conf_filenames`` and
  ``discover/pxe-parser.c`` ``pxe_parse``: without 209, petitboot probes
  ``pxelinux.cfg/`` (joined to the URL above) for ``01-<mac>`` (lower
  case, dashes), the IP in upper-case hex shortened one digit at a time
  (8 digits down to 1), then ``default``; the first file found is the only
  one parsed.
* ``discover/parser-conf.c`` ``conf_get_pair``/``conf_strip_str``: a line
  has its tabs turned to spaces, then loses leading and trailing
  whitespace *and quote characters* (``"`` and ``'``); the keyword is what
  precedes the first space, the value the rest, both stripped the same
  way. So a value starting with a quote does not keep it, a value ending
  with one loses it, and a quote inside stays: ``APPEND "a b" c`` passes
  ``a b" c`` to the kernel. Lines whose keyword or value starts with ``#``
  are comments.
* ``discover/parser-utils.h`` ``streq`` is ``strcasecmp``: keywords (and
  the DEFAULT/LABEL name match) are case-insensitive.
* ``discover/pxe-parser.c`` ``pxe_process_pair``: ``DEFAULT`` only marks
  LABELs that come *after* it; ``KERNEL``, ``INITRD``, ``DTB``/``FDT``
  are URLs; ``APPEND`` is appended (and an ``initrd=`` in it sets the
  initrd); a line that is only ``initrd=X`` is an INITRD; ``IPAPPEND`` /
  ``SYSAPPEND`` with a decimal value whose bit 2 is set append
  ``BOOTIF=01-<mac>``; every other keyword (``LINUX``, ``MENU``,
  ``TIMEOUT``, ``PROMPT``, ``COM32``, ``LOCALBOOT``...) is ignored.
* ``discover/pxe-parser.c`` ``pxe_url_join`` over ``lib/url/url.c``
  ``pb_url_join``: a value containing ``://`` is taken as is; ``::path``
  and ``::/path`` are absolute on the config's server; otherwise leading
  ``/`` are stripped and the path is joined to the *directory* of the
  discovery URL: the config file's URL when 209 was given, the probe base
  (210 or bootfile directory, not ``pxelinux.cfg/``) otherwise.
* ``utils/pb-udhcpc`` and ``discover/user-event.c`` ``parse_user_event``:
  a bootfile (option 67) also makes a separate ``netboot`` entry booting
  ``tftp://<siaddr>/<bootfile>``, not the default.

Petitboot then boots the first option marked default. :func:`discover`
returns it, or raises :class:`DiscoveryError` saying why it would not.
"""

import dataclasses
import os
import re

#: pxe-parser.c: the directory probed when no option 209 names a file.
PXELINUX_PREFIX = 'pxelinux.cfg/'
#: lib/url/url.c: schemes petitboot recognises (case-insensitive).
SCHEMES = ('file', 'ftp', 'http', 'https', 'nfs', 'sftp', 'tftp')
#: keywords pxe_process_pair acts on; anything else is ignored.
KNOWN = ('DEFAULT', 'PROXY', 'LABEL', 'PLUGIN', 'KERNEL', 'INITRD',
         'APPEND', 'IPAPPEND', 'SYSAPPEND', 'DTB', 'FDT', 'TARBALL')
_QUOTES_AND_SPACE = ' \t\n\r\v\f"\''


class DiscoveryError(Exception):
    """Petitboot would not autoboot anything from this network."""


@dataclasses.dataclass(frozen=True)
class Url:
    """A URL as ``lib/url/url.c`` splits it."""

    scheme: str
    host: object
    port: object
    path: str
    full: str

    @property
    def dir(self):
        """The path up to its last ``/`` included (``pb_url_parse_path``)."""
        return self.path[:self.path.rfind('/') + 1] if '/' in self.path \
            else ''

    def __str__(self):
        return self.full


def is_url(text):
    """``is_url``: petitboot's whole test for a URL."""
    return '://' in text


def parse_url(text):
    """``pb_url_parse``: split a URL; a string without scheme is a file.

    :returns: :class:`Url`, or ``None`` where petitboot fails (no path).
    """
    scheme = 'file'
    rest = text
    for name in SCHEMES:
        if text[len(name):len(name) + 3] == '://' and \
                text[:len(name)].lower() == name:
            scheme, rest = name, text[len(name) + 3:]
            break
    if scheme == 'file':
        return Url(scheme, None, None, rest, text)
    slash = rest.find('/')
    if slash < 0:
        return None
    hostport, path = rest[:slash], rest[slash:]
    host, _, port = hostport.partition(':')
    # "remove multiple leading slashes"
    while path.startswith('//'):
        path = path[1:]
    return Url(scheme, host or None, port or None, path, text)


def _rebuild(url, path):
    host = url.host or ''
    if url.port:
        host += ':' + url.port
    full = '%s://%s%s' % (url.scheme,
                          host if url.scheme != 'file' else '', path)
    return dataclasses.replace(url, path=path, full=full)


def url_join(base, value):
    """``pb_url_join``: full URL as is, ``/abs`` replaces, else relative
    to the base's directory."""
    if is_url(value):
        return parse_url(value)
    if value.startswith('/'):
        return _rebuild(base, value)
    return _rebuild(base, base.dir + value)


def pxe_url_join(base, value):
    """``pxe_url_join``: ``::path`` is server-absolute; otherwise leading
    slashes are stripped, so ``/x`` is relative like ``x``."""
    if len(value) > 2 and value.startswith('::'):
        rest = value[2:]
        return url_join(base, rest if rest.startswith('/') else '/' + rest)
    return url_join(base, value.lstrip('/'))


def strip(text):
    """``conf_strip_str``: drop whitespace *and quotes* at both ends."""
    if text is None:
        return None
    text = text.strip(_QUOTES_AND_SPACE)
    return text or None


def split_line(line):
    """``conf_get_pair`` with a space delimiter: (keyword, value)."""
    line = strip(line.replace('\t', ' '))
    if line is None:
        return None, None
    name, sep, value = line.partition(' ')
    if not sep:
        return None, strip(line)
    return strip(name), strip(value)


def mac_dashes(mac):
    """A MAC as pxelinux names it: ``01-aa-bb-cc-dd-ee-ff``."""
    parts = [int(p, 16) for p in mac.split(':')]
    return '01-' + '-'.join('%02x' % p for p in parts)


@dataclasses.dataclass(frozen=True)
class BootOption:
    """One entry of petitboot's menu."""

    name: str
    kernel_url: object
    initrd_url: object
    args: object
    is_default: bool
    dtb_url: object = None
    config_url: object = None


@dataclasses.dataclass
class _Entry:
    name: str
    is_default: bool
    kernel: object = None
    initrd: object = None
    dtb: object = None
    args: object = None

    def append(self, text):
        self.args = text if self.args is None else self.args + ' ' + text


@dataclasses.dataclass(frozen=True)
class ParseResult:
    """What one config file gave: its entries and what was ignored."""

    options: tuple
    ignored: tuple


def parse_config(text, conf_url, mac=None):
    """Parse a pxelinux file as ``pxe_process_pair`` does.

    :param text: the file's text.
    :param conf_url: :class:`Url` (or string) relative paths join to.
    :param mac: the interface's MAC, for ``IPAPPEND 2``.
    :returns: :class:`ParseResult`.
    """
    if isinstance(conf_url, str):
        conf_url = parse_url(conf_url)
    if text.startswith('#!ipxe'):
        raise DiscoveryError('the file is an iPXE script; petitboot parses '
                             'it with its limited iPXE parser, not modelled')
    default_name = None
    entries, ignored = [], []
    current = None
    for line in text.split('\n'):
        name, value = split_line(line)
        if value is None:
            continue
        if (name and name.startswith('#')) or value.startswith('#'):
            continue
        if name is None and value[:7].lower() == 'initrd=':
            name, value = 'INITRD', value[7:]
        if name is None:
            ignored.append(value)
            continue
        key = name.upper()
        if key == 'DEFAULT':
            default_name = value
            continue
        if key == 'PROXY':
            continue
        if key in ('LABEL', 'PLUGIN'):
            current = _Entry(value, key == 'LABEL' and default_name is not None
                             and default_name.lower() == value.lower())
            if key == 'LABEL':
                entries.append(current)
            continue
        if current is None:
            ignored.append(name)
            continue
        if key == 'KERNEL':
            current.kernel = pxe_url_join(conf_url, value)
        elif key == 'INITRD':
            current.initrd = pxe_url_join(conf_url, value)
        elif key == 'APPEND':
            current.append(value)
            found = re.search('initrd=', value, re.IGNORECASE)
            if found:
                path = value[found.end():].split(' ', 1)[0]
                current.initrd = pxe_url_join(conf_url, path)
        elif key in ('IPAPPEND', 'SYSAPPEND'):
            if re.fullmatch(r'[0-9]+', value) and int(value) & 2 and mac:
                current.append('BOOTIF=' + mac_dashes(mac))
        elif key in ('DTB', 'FDT'):
            current.dtb = pxe_url_join(conf_url, value)
        else:
            ignored.append(name)
    options = tuple(
        BootOption(e.name, e.kernel and str(e.kernel),
                   e.initrd and str(e.initrd), e.args, e.is_default,
                   e.dtb and str(e.dtb), str(conf_url))
        for e in entries)
    return ParseResult(options, tuple(ignored))


def _param(options, *keys):
    for key in keys:
        value = options.get(key)
        if value:
            return str(value)
    return None


def conf_url(options):
    """``user_event_parse_conf_url``.

    :param options: DHCP values by option number as strings (``'209'``,
        ``'210'``, ``'66'``, ``'67'``, ``'54'``) and ``'siaddr'`` (also
        taken from ``'255'``/``'150'``, which neutron and dnsmasq turn
        into the next-server address).
    :returns: (:class:`Url`, complete) where complete means option 209
        named the file itself.
    :raises DiscoveryError: no server to fetch from.
    """
    conffile = _param(options, '209')
    prefix = _param(options, '210')
    bootfile = _param(options, '67')
    if conffile and is_url(conffile):
        return parse_url(conffile), True
    if prefix and is_url(prefix):
        return parse_url(prefix + (conffile or '')), bool(conffile)
    host = _param(options, '66', 'siaddr', '255', '150', '54')
    if not host:
        raise DiscoveryError('no option 66, siaddr or server id: petitboot '
                             'has no host to fetch its config from')
    text = 'tftp://%s/' % host
    if prefix:
        text += prefix.lstrip('/')
    elif bootfile and not (conffile and conffile.startswith('/')):
        directory = bootfile[:bootfile.rfind('/')] if '/' in bootfile else ''
        if directory:
            text += directory + '/'
    if conffile:
        text += conffile
    return parse_url(text), bool(conffile)


def probe_names(mac, ip):
    """``user_event_parse_conf_filenames``: the names tried under
    ``pxelinux.cfg/``, in order."""
    names = []
    if mac:
        names.append(mac_dashes(mac))
    if ip:
        hexip = ''.join('%02X' % int(p) for p in ip.split('.'))
        names.extend(hexip[:n] for n in range(len(hexip), 0, -1))
    if not names:
        raise DiscoveryError('neither mac nor ip: nothing to probe')
    return names + ['default']


def discover_all(dhcp_options, mac, ip, fetch):
    """Every boot option petitboot would list for this DHCP lease.

    :param dhcp_options: see :func:`conf_url`.
    :param mac: the booting interface's MAC (``aa:bb:...``).
    :param ip: the leased IPv4 address.
    :param fetch: ``fetch(url) -> text or None``.
    :returns: tuple of :class:`BootOption`.
    :raises DiscoveryError: no config could be loaded.
    """
    base, complete = conf_url(dhcp_options)
    tried = []
    if complete:
        candidates = [base]
    else:
        probe = url_join(base, PXELINUX_PREFIX)
        candidates = [url_join(probe, name) for name in probe_names(mac, ip)]
    text = None
    for url in candidates:
        tried.append(str(url))
        text = fetch(str(url))
        if text is not None:
            break
    if text is None:
        raise DiscoveryError('PXE autoconfiguration failed; tried: %s'
                             % ', '.join(tried))
    options = list(parse_config(text, base, mac).options)
    bootfile = _param(dhcp_options, '67')
    if bootfile:
        siaddr = _param(dhcp_options, 'siaddr', '255', '150')
        options.append(BootOption('netboot', 'tftp://%s/%s'
                                  % (siaddr, bootfile), None, None, False))
    return tuple(options)


def discover(dhcp_options, mac, ip, fetch):
    """The option petitboot would autoboot.

    :returns: the first :class:`BootOption` marked default.
    :raises DiscoveryError: no config, no default, or a default without a
        kernel (``LINUX`` instead of ``KERNEL``, say).
    """
    options = discover_all(dhcp_options, mac, ip, fetch)
    for option in options:
        if option.is_default:
            if not option.kernel_url:
                raise DiscoveryError('default entry %r has no KERNEL (LINUX '
                                     'is ignored by petitboot)' % option.name)
            return option
    raise DiscoveryError('no entry is the default (DEFAULT must come before '
                         'its LABEL); entries: %s'
                         % ', '.join(o.name for o in options))


def serve_trees(trees):
    """A dict-backed fake TFTP/HTTP server of real directory trees.

    :param trees: mapping base URL (``tftp://192.0.2.10/``,
        ``http://192.0.2.10:8080/``) -> directory; symlinks are followed.
    :returns: (fetch, files) where ``files`` maps URL -> bytes and
        ``fetch(url)`` returns the text of a file or ``None``.
    """
    files = {}
    for base, root in trees.items():
        base = base if base.endswith('/') else base + '/'
        for directory, _dirs, names in os.walk(root, followlinks=True):
            for name in names:
                path = os.path.join(directory, name)
                if not os.path.isfile(path):
                    continue
                rel = os.path.relpath(path, root).replace(os.sep, '/')
                with open(path, 'rb') as f:
                    files[base + rel] = f.read()

    def fetch(url):
        data = files.get(str(url))
        return None if data is None else data.decode('utf-8', 'replace')

    return fetch, files
