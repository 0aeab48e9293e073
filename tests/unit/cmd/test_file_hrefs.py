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

"""``file://`` images outside ``[conductor]file_url_allowed_paths``."""

import argparse
import io
import json
import os
import uuid
from unittest import mock

from oslo_config import cfg
import pytest

from ironic_multiarch.cmd import audit
from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import file_hrefs
from ironic_multiarch.cmd import plan as plan_cmd
from ironic_multiarch.conf import ironic as ironic_conf

UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
MAC = '52:54:00:12:34:56'
DEFAULT = ('/var/lib/ironic',)
KERNEL = 'file:///srv/ironic/images/ipa-aarch64.kernel'
RAMDISK = 'file:///srv/ironic/images/ipa-aarch64.ramdisk'


# The pure check.

@pytest.mark.parametrize('href', [
    None, 42, '', 'http://images.example.com/k', 'glance-uuid',
    'FILE:///etc/passwd', '/etc/passwd'])
def test_only_file_urls_are_checked(href):
    assert file_hrefs.refusal(href, DEFAULT) is None


def test_no_restriction_when_the_release_has_no_option():
    assert file_hrefs.refusal('file:///etc/shadow', None) is None


@pytest.mark.parametrize('href', [
    'file:///var/lib/ironic', 'file:///var/lib/ironic/k',
    'file:///var/lib/ironic/images/ipa.kernel',
    'file:///var/lib/ironic/./images//ipa.kernel',
    'file://conductor-1/var/lib/ironic/k'])
def test_allowed(href):
    assert file_hrefs.refusal(href, DEFAULT) is None


@pytest.mark.parametrize('href, expected', [
    ('file:///srv/ironic/k', ('outside', '/srv/ironic/k')),
    # A sibling whose name starts with an allowed path is outside it.
    ('file:///var/lib/ironic2/k', ('outside', '/var/lib/ironic2/k')),
    ('file:///var/lib/k', ('outside', '/var/lib/k')),
    ('file:///var/lib/ironic/../k', ('outside', '/var/lib/k')),
    ('file:///etc/ironic/k', ('blocked', '/etc')),
    ('file:///dev/sda', ('blocked', '/dev')),
    ('file:///run', ('blocked', '/run')),
    ('file:///var/lib/ironic/../../../boot/vmlinuz', ('blocked', '/boot')),
    ('file:///proc/self/environ', ('blocked', '/proc')),
    ('file:///sys/k', ('blocked', '/sys')),
    ('file://', ('no-path', '')),
    ('file://images/k', ('outside', '/k')),
])
def test_refused(href, expected):
    assert file_hrefs.refusal(href, DEFAULT) == expected


def test_blocklist_wins_over_the_allow_list():
    assert file_hrefs.refusal('file:///etc/ironic/k', ('/etc',)) == (
        'blocked', '/etc')
    assert file_hrefs.refusal('file:///etc/ironic/k', ('/',)) == (
        'blocked', '/etc')
    # As in Ironic, '/' allows nothing: a path must start with it + '/'.
    assert file_hrefs.refusal('file:///srv/k', ('/',)) == (
        'outside', '/srv/k')


def test_empty_allow_list_disables_file_urls():
    assert file_hrefs.refusal('file:///var/lib/ironic/k', ()) == (
        'disabled', '/var/lib/ironic/k')
    assert file_hrefs.refusal('file:///etc/k', ()) == ('blocked', '/etc')


def test_the_file_is_never_looked_at():
    with mock.patch.object(os.path, 'exists') as exists, \
            mock.patch.object(os.path, 'isfile') as isfile, \
            mock.patch.object(os.path, 'realpath') as realpath:
        assert file_hrefs.refusal('file:///var/lib/ironic/none', DEFAULT) \
            is None
        assert file_hrefs.refusal('file:///srv/none', DEFAULT) == (
            'outside', '/srv/none')
    exists.assert_not_called()
    isfile.assert_not_called()
    realpath.assert_not_called()


# The mirrored option.

def _conf(tmp_path, text):
    path = tmp_path / 'ironic.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    ironic_conf.register_mirror(conf)
    conf([], project='ironic', default_config_files=[str(path)])
    return conf


@pytest.mark.parametrize('text, expected', [
    ('', ('/var/lib/ironic',)),
    ('[conductor]\nfile_url_allowed_paths =\n', ()),
    ('[conductor]\nfile_url_allowed_paths = /srv/images/,/var/lib/ironic\n',
     ('/srv/images', '/var/lib/ironic')),
    ('[conductor]\nfile_url_allowed_paths = /\n', ('/',)),
])
def test_mirror(tmp_path, text, expected):
    assert ironic_conf.file_url_allowed_paths(
        _conf(tmp_path, text)) == expected


@pytest.mark.parametrize('value', ['srv/images', '/srv/../etc',
                                   '/srv/./images'])
def test_mirror_refuses_paths_ironic_refuses(tmp_path, value):
    conf = _conf(tmp_path, '[conductor]\nfile_url_allowed_paths = %s\n'
                 % value)
    with pytest.raises(ValueError):
        ironic_conf.file_url_allowed_paths(conf)


def test_release_without_the_option():
    conf = cfg.ConfigOpts()
    conf([], project='x', default_config_files=[])
    assert ironic_conf.file_url_allowed_paths(conf) is None


def test_invalid_value_is_a_usage_error(tmp_path):
    path = tmp_path / 'ironic.conf'
    path.write_text('[conductor]\nfile_url_allowed_paths = images\n')
    with pytest.raises(common.UsageError) as exc:
        common.load_context([str(path)])
    assert str(exc.value).startswith('invalid value in %s: ' % path)


def test_context_has_the_allow_list(ctx, tmp_path):
    assert ctx.file_url_allowed_paths == (str(tmp_path / 'images'),)


# plan

def plan_args(**kw):
    parser = argparse.ArgumentParser()
    plan_cmd.add_arguments(parser)
    ns = parser.parse_args([])
    for key, value in kw.items():
        setattr(ns, key, value)
    return ns


def run_plan(conf_file, kernel=KERNEL, ramdisk=RAMDISK, **kw):
    out, err = io.StringIO(), io.StringIO()
    status = plan_cmd.run(plan_args(
        arch='aarch64', mac=[MAC], uuid=UUID, name='arm-1',
        driver_info=['deploy_kernel=%s' % kernel,
                     'deploy_ramdisk=%s' % ramdisk],
        config_file=[conf_file], **kw), None, out, err)
    return status, out.getvalue(), err.getvalue()


def write_conf(tmp_path, conf_file, extra):
    path = tmp_path / 'more.conf'
    path.write_text(extra)
    return [conf_file, str(path)]


def test_plan_refuses_a_file_outside_the_allowed_paths(conf_file):
    status, out, err = run_plan(conf_file, ramdisk='http://images/r')
    assert status == common.EXIT_PROBLEMS
    assert out == ''
    allowed = os.path.join(os.path.dirname(conf_file), 'images')
    assert err == (
        'error: Node arm-1 (cpu_arch aarch64): its deploy kernel '
        'file:///srv/ironic/images/ipa-aarch64.kernel (from '
        'driver_info/deploy_kernel) is outside '
        '[conductor]file_url_allowed_paths (%s), so the conductor refuses '
        'to fetch it. Set [conductor]file_url_allowed_paths to include its '
        'directory, or driver_info/deploy_kernel to a file inside it, '
        'for example [conductor]file_url_allowed_paths = '
        '%s,/srv/ironic/images.\n' % (allowed, allowed))
    assert len(err.splitlines()) == 1


def test_plan_names_both_images_when_both_are_refused(conf_file):
    status, _, err = run_plan(conf_file)
    assert status == common.EXIT_PROBLEMS
    assert ('so the conductor refuses to fetch it; its deploy ramdisk '
            'file:///srv/ironic/images/ipa-aarch64.ramdisk (from '
            'driver_info/deploy_ramdisk) is refused too. Set ') in err
    assert err.endswith(',/srv/ironic/images.\n')


def test_plan_with_the_default_allow_list(tmp_path):
    path = tmp_path / 'ironic.conf'
    path.write_text('[DEFAULT]\nmy_ip = 192.0.2.1\n'
                    '[multiarch]\nenabled_architectures = aarch64\n')
    status, out, err = run_plan(str(path), config_only=True)
    assert status == common.EXIT_PROBLEMS
    assert out == ''
    assert err == (
        'error: Node arm-1 (cpu_arch aarch64): its deploy kernel '
        'file:///srv/ironic/images/ipa-aarch64.kernel (from '
        'driver_info/deploy_kernel) is outside '
        '[conductor]file_url_allowed_paths (/var/lib/ironic), so the '
        'conductor refuses to fetch it; its deploy ramdisk '
        'file:///srv/ironic/images/ipa-aarch64.ramdisk (from '
        'driver_info/deploy_ramdisk) is refused too. Set '
        '[conductor]file_url_allowed_paths to include its directory, or '
        'driver_info/deploy_kernel to a file inside it, for example '
        '[conductor]file_url_allowed_paths = '
        '/var/lib/ironic,/srv/ironic/images.\n')


def test_plan_refuses_a_blocked_path(conf_file, tmp_path):
    files = write_conf(tmp_path, conf_file,
                       '[conductor]\nfile_url_allowed_paths = /etc\n')
    out, err = io.StringIO(), io.StringIO()
    status = plan_cmd.run(plan_args(
        arch='aarch64', mac=[MAC], uuid=UUID, name='arm-1',
        driver_info=['deploy_kernel=file:///etc/ironic/ipa.kernel',
                     'deploy_ramdisk=http://images.example.com/r'],
        config_file=files), None, out, err)
    assert status == common.EXIT_PROBLEMS
    assert err.getvalue() == (
        'error: Node arm-1 (cpu_arch aarch64): its deploy kernel '
        'file:///etc/ironic/ipa.kernel (from driver_info/deploy_kernel) '
        'is in /etc, where the conductor never reads file:// images '
        'whatever [conductor]file_url_allowed_paths says. Set '
        'driver_info/deploy_kernel to a file in '
        '[conductor]file_url_allowed_paths, for example '
        'file:///var/lib/ironic/images/ipa.kernel.\n')


def test_plan_when_file_urls_are_disabled(conf_file, tmp_path):
    files = write_conf(tmp_path, conf_file,
                       '[conductor]\nfile_url_allowed_paths =\n')
    out, err = io.StringIO(), io.StringIO()
    status = plan_cmd.run(plan_args(
        arch='x86_64', mac=[MAC], uuid=UUID, name='x86-1',
        config_file=files, format='json'), None, out, err)
    assert status == common.EXIT_PROBLEMS
    images = os.path.join(os.path.dirname(conf_file), 'images')
    line = (
        'Node x86-1 (cpu_arch x86_64): its deploy kernel file://%s/x86.kernel'
        ' (from [multiarch_x86_64]deploy_kernel) is a file:// URL, and an '
        'empty [conductor]file_url_allowed_paths disables them; its deploy '
        'ramdisk file://%s/x86.ramdisk (from [multiarch_x86_64]'
        'deploy_ramdisk) is refused too. Set [conductor]file_url_allowed_paths'
        ' to include its directory, or [multiarch_x86_64]deploy_kernel to a '
        'file inside it, for example [conductor]file_url_allowed_paths = %s.'
        % (images, images, images))
    assert err.getvalue() == 'error: %s\n' % line
    data = json.loads(out.getvalue())
    assert data['error'] == line
    assert data['option'] == (
        '[conductor]file_url_allowed_paths to include its directory, or '
        '[multiarch_x86_64]deploy_kernel to a file inside it')
    assert data['example'] == (
        '[conductor]file_url_allowed_paths = %s' % images)


def test_plan_passes_allowed_and_non_file_images(conf_file):
    images = os.path.join(os.path.dirname(conf_file), 'images')
    status, out, err = run_plan(
        conf_file, kernel='file://%s/arm.kernel' % images,
        ramdisk='http://images.example.com/arm.ramdisk', config_only=True)
    assert (status, err) == (common.EXIT_OK, '')
    assert 'deploy_kernel' in out


# audit

def node(name, arch, driver_info=None, interface='multiarch-pxe'):
    return {'uuid': str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
            'name': name, 'boot_interface': interface,
            'properties': {'cpu_arch': arch,
                           'capabilities': 'boot_mode:uefi'},
            'driver_info': driver_info or {}, 'instance_info': {},
            'boot_mode': 'uefi'}


def test_audit_reports_file_url_not_allowed_per_node(ctx):
    nodes = [node('arm-ok', 'aarch64'),
             node('arm-srv', 'aarch64', {'deploy_kernel': KERNEL,
                                         'deploy_ramdisk': RAMDISK}),
             node('arm-etc', 'aarch64',
                  {'deploy_kernel': 'file:///etc/k',
                   'deploy_ramdisk': 'http://images.example.com/r'}),
             node('x86', 'x86_64'),
             # Not planned: other boot interfaces are not checked.
             node('fake', 'aarch64', {'deploy_kernel': KERNEL},
                  interface='fake')]
    report = audit.audit(nodes, None, ctx.require_settings(), ctx.profiles,
                         file_url_allowed_paths=('/var/lib/ironic',))
    found = [(p.name, p.code) for p in report.problems]
    assert found == [('arm-srv', 'file-url-not-allowed'),
                     ('arm-etc', 'file-url-not-allowed'),
                     ('x86', 'file-url-not-allowed')]
    assert report.problems[1].message == (
        'Node arm-etc (cpu_arch aarch64): its deploy kernel file:///etc/k '
        '(from driver_info/deploy_kernel) is in /etc, where the '
        'conductor never reads file:// images whatever '
        '[conductor]file_url_allowed_paths says. Set '
        'driver_info/deploy_kernel to a file in '
        '[conductor]file_url_allowed_paths, for example '
        'file:///var/lib/ironic/images/k.')
    assert report.summary[('aarch64', 'uefi', 'multiarch-pxe')] == [3, 2]


def test_audit_without_the_option_checks_nothing(ctx):
    report = audit.audit([node('arm', 'aarch64',
                               {'deploy_kernel': 'file:///etc/k',
                                'deploy_ramdisk': 'file:///etc/r'})],
                         None, ctx.require_settings(), ctx.profiles)
    assert report.problems == []


def test_audit_run_uses_the_conductors_allow_list(conf_file, tmp_path):
    files = write_conf(tmp_path, conf_file,
                       '[conductor]\nfile_url_allowed_paths = /srv\n')
    nodes = [node('x86', 'x86_64'),
             node('arm', 'aarch64', {'deploy_kernel': KERNEL,
                                     'deploy_ramdisk': RAMDISK})]

    class Adapter(object):
        def get(self, url, params=None, microversion=None, raise_exc=True):
            body = {'nodes': nodes} if url == '/nodes' else {'ports': []}
            return type('R', (), {'status_code': 200,
                                  'json': lambda self: body})()

        def get_endpoint_data(self):
            return None

    conn = type('C', (), {'baremetal': Adapter()})()
    args = type('A', (), {'page_size': 100, 'check_files': False,
                          'check_ports': False, 'config_file': files,
                          'format': 'json'})()
    out = io.StringIO()
    assert audit.run(args, lambda: conn, out, io.StringIO()) == (
        common.EXIT_PROBLEMS)
    problems = json.loads(out.getvalue())['problems']
    assert [(p['name'], p['code']) for p in problems] == [
        ('x86', 'file-url-not-allowed')]
    assert problems[0]['message'].startswith(
        'Node x86 (cpu_arch x86_64): its deploy kernel file://%s/images/'
        'x86.kernel (from [multiarch_x86_64]deploy_kernel) is outside '
        '[conductor]file_url_allowed_paths (/srv), so the conductor '
        'refuses to fetch it; ' % tmp_path)
