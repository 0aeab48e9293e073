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

"""``dnsmasq``: the output loads in a real dnsmasq, IPv4 and IPv6.

Each configuration is checked with ``dnsmasq --test``, after the few
lines it needs to be a whole dnsmasq configuration (no DNS, one IPv4 and
one IPv6 range). Debian's ``dnsmasq-base`` starts no service; it is
installed with apt when missing, and these tests are skipped, with the
reason, where it cannot be.
"""

import os
import shutil
import subprocess

import pytest

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import dnsmasq
from ironic_multiarch import exception

#: What ``dnsmasq --test`` needs besides the generated lines.
HEADER = """port=0
dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0
dhcp-range=2001:db8::100,2001:db8::1ff,64
"""

CONF = """[DEFAULT]
{default}
[pxe]
tftp_server = {tftp}
[deploy]
{http}
[multiarch]
enabled_architectures = x86_64,aarch64,ppc64le
"""

CONFIGS = {
    'ipv4': dict(default='', tftp='192.0.2.10',
                 http='http_url = http://192.0.2.10:8080'),
    'ipv4 no http_url': dict(default='', tftp='192.0.2.10', http=''),
    'dual stack': dict(default='my_ipv6 = 2001:db8::10', tftp='192.0.2.10',
                       http='http_url = http://192.0.2.10:8080'),
    'ipv6 tftp_server': dict(default='', tftp='2001:db8::10',
                             http='http_url = http://[2001:db8::10]:8080'),
    'bracketed ipv6 tftp_server': dict(
        default='', tftp='[2001:db8::10]',
        http='http_url = http://[2001:db8::10]/boot'),
    'host name': dict(default='', tftp='tftp.example.com',
                      http='http_url = http://boot.example.com'),
}

DUAL_STACK_V6 = """\

# DHCPv6: client architecture in option 61, a URL in option 59 (bootfile-url).

# aarch64 UEFI (grub) over IPv6: 0x0b ARM 64-bit UEFI
dhcp-match=set:aarch64-uefi-v6,option6:61,11
dhcp-option=tag:aarch64-uefi-v6,tag:!known,option6:bootfile-url,\
tftp://[2001:db8::10]/multiarch/aarch64/grubaa64.efi

# ppc64le OPAL petitboot (petitboot) over IPv6: 0x0e POWER OPAL v3 (petitboot)
dhcp-match=set:ppc64le-opal-v6,option6:61,14
dhcp-option=tag:ppc64le-opal-v6,tag:!known,option6:bootfile-url,\
tftp://[2001:db8::10]/pxelinux.cfg/default

# x86_64 UEFI (grub) over IPv6: 0x07 x64 UEFI, 0x09 EBC (sent by x64 UEFI \
firmware)
dhcp-match=set:x86_64-uefi-v6,option6:61,7
dhcp-match=set:x86_64-uefi-v6,option6:61,9
dhcp-option=tag:x86_64-uefi-v6,tag:!known,option6:bootfile-url,\
tftp://[2001:db8::10]/multiarch/x86_64/grubx64.efi

# x86_64 BIOS (pxelinux) over IPv6: 0x00 x86 BIOS
dhcp-match=set:x86_64-bios-v6,option6:61,0
dhcp-option=tag:x86_64-bios-v6,tag:!known,option6:bootfile-url,\
tftp://[2001:db8::10]/multiarch/x86_64/pxelinux.0
"""


def _find_dnsmasq():
    for path in (shutil.which('dnsmasq'), '/usr/sbin/dnsmasq'):
        if path and os.access(path, os.X_OK):
            return path
    return None


def _install():
    """Install Debian's dnsmasq-base, or return why it cannot be."""
    apt = shutil.which('apt-get')
    if not apt:
        return 'dnsmasq is not installed and apt-get is unavailable'
    if os.geteuid() != 0:
        return 'dnsmasq is not installed and installing it needs root'
    cmd = [apt, 'install', '-y', '--no-install-recommends',
           '-o', 'DPkg::Lock::Timeout=900', 'dnsmasq-base']
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if subprocess.run(cmd, env=env, capture_output=True).returncode == 0:
        return None
    subprocess.run([apt, 'update', '-o', 'DPkg::Lock::Timeout=900'],
                   env=env, capture_output=True)
    if subprocess.run(cmd, env=env, capture_output=True).returncode == 0:
        return None
    return 'apt-get could not install dnsmasq-base'


@pytest.fixture(scope='module')
def dnsmasq_bin():
    path = _find_dnsmasq()
    if not path:
        reason = _install()
        path = _find_dnsmasq()
        if not path:
            pytest.skip(reason or 'dnsmasq-base installed no dnsmasq')
    return path


def _check(dnsmasq_bin, tmp_path, text):
    """Run ``dnsmasq --test`` on the header and ``text``."""
    path = tmp_path / 'dnsmasq.conf'
    path.write_text(HEADER + text)
    proc = subprocess.run([dnsmasq_bin, '--test', '--conf-file=%s' % path],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def _context(tmp_path, name):
    path = tmp_path / 'ironic.conf'
    path.write_text(CONF.format(**CONFIGS[name]))
    return common.load_context([str(path)])


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_output_loads_in_dnsmasq(dnsmasq_bin, tmp_path, name):
    ctx = _context(tmp_path, name)
    text = dnsmasq.render(ctx.settings, ctx.profiles)
    assert _check(dnsmasq_bin, tmp_path, text) == (
        0, 'dnsmasq: syntax check OK.')


def test_dnsmasq_refuses_a_256_character_option(dnsmasq_bin, tmp_path):
    """The check is real: dnsmasq refuses what the planner refuses."""
    code, out = _check(dnsmasq_bin, tmp_path,
                       'dhcp-option=tag:x,209,%s\n' % ('a' * 256))
    assert (code, out) == (
        1, 'dnsmasq: dhcp-option too long at line 4 of %s'
        % (tmp_path / 'dnsmasq.conf'))
    assert _check(dnsmasq_bin, tmp_path,
                  'dhcp-option=tag:x,209,%s\n' % ('a' * 255)) == (
        0, 'dnsmasq: syntax check OK.')


@pytest.mark.parametrize('name', ['dual stack', 'ipv6 tftp_server',
                                  'bracketed ipv6 tftp_server'])
def test_dhcpv6_section(tmp_path, name):
    ctx = _context(tmp_path, name)
    text = dnsmasq.render(ctx.settings, ctx.profiles)
    assert text.endswith(DUAL_STACK_V6)


@pytest.mark.parametrize('name', ['ipv4', 'ipv4 no http_url', 'host name'])
def test_no_dhcpv6_without_an_ipv6_server(tmp_path, name):
    ctx = _context(tmp_path, name)
    assert 'option6' not in dnsmasq.render(ctx.settings, ctx.profiles)


def test_ipv6_server_is_not_an_ipv4_boot_server(tmp_path):
    """dnsmasq would resolve an IPv6 address in a dhcp-boot line as a
    name: it is left out there (option 66 still names it)."""
    ctx = _context(tmp_path, 'ipv6 tftp_server')
    text = dnsmasq.render(ctx.settings, ctx.profiles)
    assert ('dhcp-boot=tag:aarch64-uefi,tag:!known,'
            'multiarch/aarch64/grubaa64.efi\n') in text
    assert 'dhcp-option=tag:!known,66,2001:db8::10\n' in text
    ctx = _context(tmp_path, 'ipv4')
    assert ('dhcp-boot=tag:aarch64-uefi,tag:!known,'
            'multiarch/aarch64/grubaa64.efi,,192.0.2.10\n') in (
        dnsmasq.render(ctx.settings, ctx.profiles))


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_each_answer_once_per_tag_set(tmp_path, name):
    ctx = _context(tmp_path, name)
    lines = [line for line in
             dnsmasq.render(ctx.settings, ctx.profiles).splitlines()
             if line and not line.startswith('#')]
    assert len(lines) == len(set(lines))
    answers = []
    for line in lines:
        key, _sep, value = line.partition('=')
        fields = value.split(',')
        tags = frozenset(f for f in fields if f.startswith('tag:'))
        rest = [f for f in fields if not f.startswith('tag:')]
        if key == 'dhcp-boot':
            answers.append((key, tags))
        elif key.startswith('dhcp-option'):
            answers.append(('option', tags, rest[0]))
    assert len(answers) == len(set(answers))


def test_checked_lines_drops_duplicates_keeps_comments(tmp_path):
    ctx = _context(tmp_path, 'ipv4')
    lines = ['# a', 'dhcp-match=set:t,option:client-arch,7', '',
             'dhcp-match=set:t,option:client-arch,7', '# a',
             'dhcp-boot=tag:t,a.efi', 'dhcp-boot=tag:t,a.efi']
    assert dnsmasq.checked_lines(ctx.settings, lines) == [
        '# a', 'dhcp-match=set:t,option:client-arch,7', '', '# a',
        'dhcp-boot=tag:t,a.efi']


def test_checked_lines_refuses_two_answers(tmp_path):
    ctx = _context(tmp_path, 'ipv4')
    with pytest.raises(exception.InvalidSetting) as exc:
        dnsmasq.checked_lines(ctx.settings, [
            'dhcp-boot=tag:x86_64-uefi,tag:!known,a.efi',
            'dhcp-boot=tag:!known,tag:x86_64-uefi,b.efi'])
    assert str(exc.value) == (
        "Node unknown nodes (cpu_arch x86_64): two answers for the same "
        "tags: 'dhcp-boot=tag:x86_64-uefi,tag:!known,a.efi' and "
        "'dhcp-boot=tag:!known,tag:x86_64-uefi,b.efi'.")


def test_http_boot_url_longer_than_the_bootp_file_field(tmp_path):
    """The UEFI HTTP boot URL goes into the 128-octet BOOTP file field,
    which dnsmasq fills without a word of warning."""
    http = 'http_url = http://%s.example.com' % ('h' * 90)
    path = tmp_path / 'ironic.conf'
    path.write_text(CONF.format(default='', tftp='192.0.2.10', http=http))
    ctx = common.load_context([str(path)])
    with pytest.raises(exception.InvalidSetting) as exc:
        dnsmasq.render(ctx.settings, ctx.profiles)
    assert str(exc.value) == (
        "Node unknown nodes (cpu_arch aarch64): DHCPv4 option dhcp-boot "
        "value 'http://%s.example.com/multiarch/aarch64/grubaa64.efi' is "
        "140 characters long, 13 more than the BOOTP file field allows "
        "(127); it is built from [deploy]http_url, [multiarch]loader_dir. "
        "Set [deploy]http_url, for example http://192.0.2.10:8080."
        % ('h' * 90))


def test_long_petitboot_config_is_named(tmp_path):
    ctx = _context(tmp_path, 'ipv4')
    config = 'p/' * 120 + 'default'
    with pytest.raises(exception.InvalidSetting) as exc:
        dnsmasq.render(ctx.settings, ctx.profiles, petitboot_config=config)
    assert str(exc.value) == (
        "Node unknown nodes (cpu_arch ppc64le): DHCPv4 option "
        "dhcp-option-force 209 value 'tftp://192.0.2.10/%s' is 265 "
        "characters long, 10 more than a DHCP option allows (255); it is "
        "built from [pxe]tftp_server, --petitboot-config. Set "
        "--petitboot-config, for example pxelinux.cfg/default." % config)
