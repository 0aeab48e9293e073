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

"""Hostile node fields: each loader boots exactly the planned entry.

``test_hostile_input`` shows no value changes the *structure* of a boot
file. This module reads the file as each loader does and checks that
the kernel, the initrd(s) and the arguments the loader resolves are
exactly the planned ones, so no value can smuggle in a directive the
loader acts on (``initrd=`` in an APPEND line, a ``$`` expansion in
GRUB, an option in an iPXE command line).

The resolvers are small models of each loader's documented rules; each
rule names its source:

* pxelinux (syslinux 6, ``com32/elflink/ldlinux/readconfig.c``,
  ``execute.c``, ``kernel.c``): one keyword per line, case-insensitive,
  ``#`` lines are comments; ``DEFAULT`` names the label booted; the
  label's ``KERNEL``/``LINUX`` value and its ``APPEND`` value (``-``:
  none) make the command line ``<kernel> <append>``, whose first word is
  the image; an image whose name ends in ``.c32 .cbt .com .bss .bs .bin
  .0 .img`` is not a Linux kernel; ``IPAPPEND 2`` adds
  ``BOOTIF=01-<mac>``; the loader prepends ``BOOT_IMAGE=<kernel>`` and
  loads the *last* ``initrd=`` that starts a word (``find_argument``),
  a comma-separated list.
* petitboot: :mod:`tests.boot.petitboot` (``pxe-parser.c``: the first
  ``initrd=`` anywhere in APPEND, any case, replaces INITRD).
* GRUB script (``grub-core/script/yylex.l``, ``execute.c``,
  ``commands/wildcard.c``, ``loader/linux.c``): words split on blanks;
  ``;`` and newline end a command; ``#`` at the start of a word starts a
  comment; ``\\`` escapes; ``'...'`` is literal; ``"..."`` expands
  ``$``; ``$name``/``${name}`` expand; ``|``, ``&``, ``<``, ``>`` are
  not commands' characters; an unquoted word that starts with ``/``,
  ``(`` or ``*`` and holds ``*`` or ``?`` is expanded against files;
  ``initrd`` takes several files and ``newc:name:`` prefixes. Then the
  Linux EFI stub loads every ``initrd=`` of the command line.
* iPXE (``core/exec.c``, ``core/settings.c``, ``core/getopt.c``,
  ``usr/imgmgmt.c``): ``${name[:type]}`` is expanded on the whole line
  first (unknown: empty); tokens split on white space; ``||``, ``&&``,
  ``;`` end a command and a token starting with ``#`` starts a comment;
  ``kernel``/``initrd`` take ``--name``/``-n X``, ``--timeout``/``-t
  X``, ``--autofree``/``-a``, ``--replace``/``-r`` before the first
  other word (``--`` ends options); the first word is the image URI,
  the rest its command line. Under UEFI the Linux EFI stub loads the
  images named by ``initrd=``; under BIOS iPXE passes every other
  fetched image as an initrd.
"""

import re

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
import pytest

from ironic_multiarch import exception
from ironic_multiarch import plan as planner
from ironic_multiarch import render
from ironic_multiarch import safety
from tests.boot import petitboot
from tests.property import strategies as s
from tests.property import test_hostile_input as hostile

EXAMPLES = 4000
PROPERTY = hsettings(max_examples=EXAMPLES, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
SETTINGS = hostile.SETTINGS
PROFILES = hostile.PROFILES
#: the NIC the firmware boots from in every resolution.
MAC = 'aa:bb:cc:0d:0e:0f'


class Unresolvable(Exception):
    """The loader would not boot the entry, or do something not modelled
    (which the property counts as a failure)."""


class Boot:
    """What a loader boots: kernel, initrds, kernel command line words."""

    def __init__(self, kernel, initrds, args):
        self.kernel, self.initrds, self.args = kernel, tuple(initrds), \
            tuple(args)

    def __repr__(self):
        return 'Boot(%r, %r, %r)' % (self.kernel, self.initrds, self.args)


# -- pxelinux -------------------------------------------------------------

_NOT_LINUX = ('.c32', '.cbt', '.com', '.bss', '.bs', '.bin', '.0', '.img')


def find_argument(cmdline, argument):
    """syslinux ``find_argument``: the value of the *last* word starting
    with ``argument``."""
    found = None
    wasspace = True
    for i, ch in enumerate(cmdline):
        if wasspace and cmdline.startswith(argument, i):
            found = cmdline[i + len(argument):].split(' ')[0]
        wasspace = ch in ' \t'
    return found


def resolve_pxelinux(text, mac=MAC):
    default, labels, current = None, {}, None
    for raw in text.split('\n'):
        line = raw.strip(' \t')
        if not line or line.startswith('#'):
            continue
        keyword, _, value = line.partition(' ')
        keyword, value = keyword.lower(), value.strip(' \t')
        if keyword == 'default':
            default = value
        elif keyword == 'label':
            current = labels.setdefault(value, {'append': '', 'ipappend': 0})
        elif current is None:
            continue
        elif keyword in ('kernel', 'linux'):
            current['kernel'] = value
        elif keyword == 'append':
            current['append'] = '' if value == '-' else value
        elif keyword in ('ipappend', 'sysappend'):
            current['ipappend'] = int(value, 0)
        elif keyword == 'initrd':
            raise Unresolvable('INITRD keyword: not in the templates')
    if default not in labels or 'kernel' not in labels[default]:
        raise Unresolvable('no DEFAULT label with a KERNEL: %r' % default)
    entry = labels[default]
    cmdline = ' '.join(x for x in (entry['kernel'], entry['append']) if x)
    if entry['ipappend'] & 2:
        cmdline += ' BOOTIF=01-' + mac.replace(':', '-')
    kernel, _, args = cmdline.partition(' ')
    if kernel.lower().endswith(_NOT_LINUX):
        raise Unresolvable('%s is not booted as a Linux kernel' % kernel)
    initrd = find_argument(cmdline, 'initrd=')
    initrds = initrd.split(',') if initrd is not None else []
    words = [w for w in args.split(' ') if w]
    # the loader's own BOOT_IMAGE= and the initrd= it consumed
    used = 'initrd=' + initrd if initrd is not None else None
    if used in words:
        words.remove(used)
    return Boot(kernel, initrds, words)


# -- petitboot ------------------------------------------------------------

def resolve_petitboot(text, mac=MAC):
    options = petitboot.parse_config(text, 'tftp://192.0.2.10/node/config',
                                     mac).options
    default = [o for o in options if o.is_default]
    if not default or not default[0].kernel_url:
        raise Unresolvable('no default entry with a KERNEL')
    boot = default[0]
    return Boot(boot.kernel_url, [boot.initrd_url] if boot.initrd_url
                else [], (boot.args or '').split(' ') if boot.args else [])


# -- GRUB -----------------------------------------------------------------

_GRUB_VAR = re.compile(r'\$(\{([A-Za-z_][A-Za-z0-9_]*|[0-9?#@*]+)\}|'
                       r'([A-Za-z_][A-Za-z0-9_]*|[0-9?#@*]))')


def grub_commands(text, env):
    """Split a GRUB script into commands (lists of expanded words).

    A generator: each command is expanded with ``env`` as it stands when
    the command is reached, as GRUB runs a script. An unquoted
    expansion is split into words on blanks, and vanishes when empty.
    """
    words = []
    word, has_word, unquoted = [], False, []
    i, n = 0, len(text)

    def end_word():
        nonlocal word, has_word, unquoted
        if has_word:
            value = ''.join(word)
            bare = ''.join(unquoted)
            if value[:1] in '/(*' and ('*' in bare or '?' in bare):
                raise Unresolvable('wildcard expansion of %r' % value)
            words.append(value)
        word, has_word, unquoted = [], False, []

    def end_command():
        nonlocal words
        end_word()
        done, words = words, []
        return done

    def expand(pos):
        match = _GRUB_VAR.match(text, pos)
        if not match:
            return '$', pos + 1
        name = match.group(2) or match.group(3)
        return env.get(name, ''), match.end()

    while i < n:
        ch = text[i]
        if ch in ' \t':
            end_word()
            i += 1
        elif ch in '\n;':
            done = end_command()
            i += 1
            if done:
                yield done
        elif ch == '#' and not has_word:
            while i < n and text[i] != '\n':
                i += 1
        elif ch in '|&<>':
            raise Unresolvable('%r is not allowed in a GRUB command' % ch)
        elif ch == '\\':
            if i + 1 < n and text[i + 1] != '\n':
                word.append(text[i + 1])
                has_word = True
            i += 2
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise Unresolvable('unterminated quote')
            word.append(text[i + 1:end])
            has_word = True
            i = end + 1
        elif ch == '"':
            i += 1
            has_word = True
            while True:
                if i >= n:
                    raise Unresolvable('unterminated quote')
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == '\\' and i + 1 < n and text[i + 1] in '$"\\\n':
                    word.append(text[i + 1] if text[i + 1] != '\n' else '')
                    i += 2
                elif c == '$':
                    value, i = expand(i)
                    word.append(value)
                else:
                    word.append(c)
                    i += 1
        elif ch == '$':
            value, i = expand(i)
            parts = re.split('[ \t]+', value)
            for k, part in enumerate(parts):
                if k:
                    end_word()
                word.append(part)
                unquoted.append(part)
                has_word = has_word or bool(part)
        else:
            word.append(ch)
            unquoted.append(ch)
            has_word = True
            i += 1
    done = end_command()
    if done:
        yield done


def resolve_grub(text, mac=MAC):
    env = {'net_default_mac': mac}
    default, entries, current = None, {}, None
    for words in grub_commands(text, env):
        if words[0] == 'set' and len(words) == 2 and '=' in words[1]:
            name, _, value = words[1].partition('=')
            env[name] = value
            if name == 'default':
                default = value
        elif words[0] == 'menuentry':
            if words[-1] != '{' or len(words) != 3:
                raise Unresolvable('menuentry %r' % words)
            current = entries.setdefault(words[1], [])
        elif words == ['}']:
            current = None
        elif current is not None:
            current.append(words)
        elif words[0] in ('linux', 'linuxefi', 'initrd', 'initrdefi',
                          'source', 'configfile', 'chainloader'):
            raise Unresolvable('%s outside the menu entry' % words[0])
    if default not in entries:
        raise Unresolvable('no menuentry %r' % default)
    kernel, args, initrds = None, [], []
    for words in entries[default]:
        if words[0] in ('linux', 'linuxefi'):
            if len(words) < 2:
                raise Unresolvable('linux without a kernel')
            kernel, args = words[1], words[2:]
        elif words[0] in ('initrd', 'initrdefi'):
            if any(w.startswith(('newc:', '-')) for w in words[1:]):
                raise Unresolvable('initrd options: %r' % words)
            initrds = words[1:]
        else:
            raise Unresolvable('command %r in the entry' % words[0])
    if kernel is None:
        raise Unresolvable('no linux command')
    # the Linux EFI stub loads each initrd= of its command line too
    initrds += ['efi-stub:' + a[len('initrd='):] for a in args
                if a.startswith('initrd=')]
    return Boot(kernel, initrds, args)


# -- iPXE -----------------------------------------------------------------

def ipxe_expand(line, env):
    """``expand_settings``: replace innermost ``${name[:type]}`` first."""
    while True:
        start = line.rfind('${')
        if start < 0:
            return line
        end = line.find('}', start)
        if end < 0:
            return line
        name = line[start + 2:end].split(':')[0]
        line = line[:start] + env.get(name, '') + line[end + 1:]


_IPXE_OPTS = {'-n': 'name', '--name': 'name', '-t': 'timeout',
              '--timeout': 'timeout', '-a': None, '--autofree': None,
              '-r': None, '--replace': None}


def ipxe_image_command(tokens):
    """``kernel``/``initrd`` options and positional words (getopt stops
    at the first word that is not an option)."""
    opts, i = {}, 1
    while i < len(tokens) and tokens[i].startswith('-'):
        if tokens[i] == '--':
            i += 1
            break
        if tokens[i] not in _IPXE_OPTS:
            raise Unresolvable('unknown option %r' % tokens[i])
        key = _IPXE_OPTS[tokens[i]]
        if key:
            if i + 1 >= len(tokens):
                raise Unresolvable('option %r without a value' % tokens[i])
            opts[key] = tokens[i + 1]
            i += 2
        else:
            i += 1
    if i >= len(tokens):
        raise Unresolvable('%s without an image' % tokens[0])
    return opts, tokens[i], tokens[i + 1:]


def resolve_ipxe(text, mac=MAC, efi=True):
    env = {'mac': mac, 'i': '0', 'attempts': '10'}
    lines = text.split('\n')
    if lines[0].strip() != '#!ipxe':
        raise Unresolvable('not an iPXE script')
    images, kernel, args = {}, None, None
    for line in lines[1:]:
        tokens = ipxe_expand(line, env).split()
        command = []
        for token in tokens:
            if token.startswith('#') or token in ('||', '&&', ';'):
                break
            command.append(token)
        if not command or command[0].startswith(':'):
            continue
        name = command[0]
        if name == 'imgfree':
            images, kernel = {}, None
        elif name in ('kernel', 'imgselect', 'initrd', 'imgfetch'):
            opts, uri, rest = ipxe_image_command(command)
            image = opts.get('name') or uri.rsplit('/', 1)[-1]
            images[image] = uri
            if name in ('kernel', 'imgselect'):
                kernel, args = image, rest
        elif name == 'boot':
            break
        elif name in ('set', 'iseq', 'inc', 'echo', 'sleep', 'goto',
                      'poweroff'):
            continue
        else:
            raise Unresolvable('command %r' % name)
    if kernel is None:
        raise Unresolvable('no kernel')
    if efi:
        initrds = [images.get(a[len('initrd='):], 'missing:' + a)
                   for a in args if a.startswith('initrd=')]
    else:
        initrds = [uri for image, uri in images.items() if image != kernel]
    return Boot(images[kernel], initrds, args)


RESOLVERS = {'pxelinux': resolve_pxelinux, 'petitboot': resolve_petitboot,
             'grub': resolve_grub, 'ipxe': resolve_ipxe}


# -- the properties -----------------------------------------------------------

def _bases(bp):
    bases = set()
    for root in ('tftp', 'http'):
        try:
            bases.add(render.Locations(SETTINGS, bp.config_format, root,
                                       bp.node, bp.arch).base())
        except exception.MultiarchError:
            pass
    return bases


def _planned_args(bp):
    args = bp.kernel_params.value.split(' ') if bp.kernel_params.value \
        else []
    if bp.mode == planner.INSTANCE:
        return args
    if bp.config_format in ('pxelinux', 'petitboot'):
        return args + ['BOOTIF=01-' + MAC.replace(':', '-')]
    if bp.config_format == 'ipxe':
        return args + ['BOOTIF=' + MAC, 'initrd=ramdisk']
    return args + ['BOOTIF=' + MAC]


def check_resolution(bp):
    """The loader of ``bp`` boots exactly the planned entry."""
    text = bp.config_text
    boots = [RESOLVERS[bp.config_format](text)]
    if bp.config_format == 'ipxe':
        boots.append(resolve_ipxe(text, efi=False))
    for boot in boots:
        assert boot.kernel.endswith('/' + bp.kernel_path), boot
        base = boot.kernel[:-len(bp.kernel_path)]
        assert base in _bases(bp), (base, boot)
        assert boot.initrds == (base + bp.ramdisk_path,), boot
        assert list(boot.args) == _planned_args(bp), boot
        # no word another layer (petitboot's strcasestr, the EFI stub)
        # could read as an initrd
        assert not [a for a in boot.args if 'initrd=' in a.lower()
                    and a != 'initrd=ramdisk'], boot


@PROPERTY
@given(hostile.facts)
def test_each_loader_boots_exactly_the_planned_entry(node):
    bp = hostile._plan_or_error(node)
    if bp is None:
        return
    check_resolution(bp)


directive_facts = st.builds(
    lambda arch_mode, ipxe, extra, where: planner.NodeFacts(
        uuid='1be26c0b-03f2-4d2e-ae87-c02d7f33c123', cpu_arch=arch_mode[0],
        boot_mode=arch_mode[1], ports=(planner.Port('52:54:00:12:34:56'),),
        ipxe=ipxe, driver_info={'kernel_append_params': extra}
        if where == 'node' else {},
        extra_kernel_params=(extra,) if where == 'conductor' else ()),
    st.sampled_from([('x86_64', 'bios'), ('x86_64', 'uefi'),
                     ('aarch64', 'uefi'), ('ppc64le', 'uefi')]),
    st.booleans(),
    st.lists(st.sampled_from(['nofb', 'quiet'] + s.DIRECTIVES),
             min_size=1, max_size=4).map(' '.join),
    st.sampled_from(['node', 'conductor']))


@hsettings(max_examples=800, deadline=None, database=None)
@given(directive_facts)
def test_directives_are_refused_or_harmless(node):
    words = (node.driver_info.get('kernel_append_params', '').split()
             + ' '.join(node.extra_kernel_params).split())
    refused = [w for w in words if 'initrd=' in w.lower() or w == '--']
    try:
        bp = planner.plan(node, SETTINGS, PROFILES)
    except exception.UnsafeValue as exc:
        assert refused, exc
        assert 'kernel argument %r' % refused[0] in str(exc)
        assert exc.option in ('driver_info/kernel_append_params',
                              'the conductor settings'), exc.option
        assert exc.example == '"console=ttyS0,115200n8 nofb"'
        return
    except exception.PlanError:
        return  # e.g. ppc64le has no images in the fleet settings
    assert not refused
    check_resolution(bp)


# -- the resolvers follow their loaders' rules --------------------------------

PXE = ('DEFAULT deploy\nLABEL deploy\n    KERNEL ::/n/deploy_kernel\n'
       '    APPEND initrd=::/n/deploy_ramdisk %s\n    IPAPPEND 2\n')


def test_pxelinux_takes_the_last_initrd_word():
    boot = resolve_pxelinux(PXE % 'nofb initrd=/evil')
    assert boot.initrds == ('/evil',)
    boot = resolve_pxelinux(PXE % 'xinitrd=/evil initrd=a,b')
    assert boot.initrds == ('a', 'b')
    boot = resolve_pxelinux(PXE % 'nofb')
    assert (boot.kernel, boot.initrds, boot.args) == (
        '::/n/deploy_kernel', ('::/n/deploy_ramdisk',),
        ('nofb', 'BOOTIF=01-aa-bb-cc-0d-0e-0f'))
    with pytest.raises(Unresolvable):
        resolve_pxelinux(PXE.replace('deploy_kernel', 'menu.c32') % '')


def test_petitboot_append_initrd_wins_over_initrd_line():
    text = ('DEFAULT a\nLABEL a\n KERNEL http://h/k\n INITRD http://h/r\n'
            ' APPEND rd.InitRD=http://h/evil quiet\n')
    assert resolve_petitboot(text).initrds == ('http://h/evil',)


def test_grub_expands_and_splits():
    text = ('set default=d\nset x=injected\nmenuentry "d" {\n'
            '    linux /k a $x "b c" \'$x\' d\\ e ${net_default_mac} $none'
            ' "$y";  initrd /r\n}\n').replace('injected', '"in jected"')
    boot = resolve_grub(text)
    assert boot.args == ('a', 'in', 'jected', 'b c', '$x', 'd e',
                         'aa:bb:cc:0d:0e:0f', '')
    assert boot.initrds == ('/r',)
    text = ('set default=d\nmenuentry "d" {\n linux /k initrd=/e\n'
            ' initrd /r\n}\n')
    assert resolve_grub(text).initrds == ('/r', 'efi-stub:/e')
    with pytest.raises(Unresolvable):
        resolve_grub('set default=d\nmenuentry "d" {\n linux /k /b?t\n}\n')


def test_ipxe_options_and_expansion():
    text = ('#!ipxe\n:a\nimgfree\nkernel --name k --timeout 5 http://h/k '
            'x ${mac} --name y initrd=r || goto retry\n'
            'initrd -n r http://h/r\nboot\n')
    boot = resolve_ipxe(text)
    assert boot.kernel == 'http://h/k'
    assert boot.args == ('x', 'aa:bb:cc:0d:0e:0f', '--name', 'y',
                         'initrd=r')
    assert boot.initrds == ('http://h/r',)
    evil = text.replace('initrd=r', 'initrd=k initrd=r')
    assert resolve_ipxe(evil).initrds == ('http://h/k', 'http://h/r')


def test_before_the_refusal_the_property_fails():
    """The templates as they are would load a node's own initrd."""
    for fmt, resolve in (('pxelinux', resolve_pxelinux),
                         ('petitboot', resolve_petitboot),
                         ('grub', resolve_grub), ('ipxe', resolve_ipxe)):
        text = render.render(render.builtin(render.TEMPLATES[fmt]), fmt,
                             label='deploy', kernel='http://h/k',
                             ramdisk='http://h/r',
                             kernel_params='nofb initrd=http://h/evil',
                             timeout=5, bootif=True)
        assert resolve(text).initrds != ('http://h/r',), fmt


@pytest.mark.parametrize('arg', ['initrd=/x', 'INITRD=/x', 'rd.initrd=x',
                                 '--'])
def test_directive_error_names_node_arch_option_example(arg):
    with pytest.raises(exception.UnsafeValue) as err:
        safety.kernel_args('nofb %s' % arg, 'node-1', 'aarch64',
                           'driver_info/kernel_append_params')
    message = str(err.value)
    assert message.startswith("Node node-1 (cpu_arch aarch64): kernel "
                              "argument %r would " % arg)
    assert message.endswith('Set driver_info/kernel_append_params, for '
                            'example "console=ttyS0,115200n8 nofb".')


@pytest.mark.parametrize('arg', ['vga=ask', 'mem=1G', 'quiet', 'dtb=x.dtb',
                                 'BOOT_IMAGE=/x', '-', 'noinitrd'])
def test_other_loader_words_pass(arg):
    assert safety.kernel_args(arg, 'n', 'x86_64', 'o') == (arg,)
