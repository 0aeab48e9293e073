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

"""``doctor``: each check says ok or FAIL with what to set."""

import io
import json

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import doctor


def by_name(checks):
    return {c.name: c for c in checks}


def prepare(tmp_path, loaders=True):
    (tmp_path / 'tftpboot').mkdir()
    (tmp_path / 'httpboot').mkdir()
    (tmp_path / 'images').mkdir()
    for name in ('x86.kernel', 'x86.ramdisk'):
        (tmp_path / 'images' / name).write_text('x')
    if loaders:
        for arch, names in (('x86_64', ('grubx64.efi', 'pxelinux.0',
                                        'ldlinux.c32')),
                            ('aarch64', ('grubaa64.efi',))):
            d = tmp_path / 'tftpboot' / 'multiarch' / arch
            d.mkdir(parents=True)
            for name in names:
                (d / name).write_text('x')


def test_checks_report_missing_images_and_bad_urls(ctx, tmp_path):
    prepare(tmp_path)
    heads = []

    def head(url):
        heads.append(url)
        return 'HTTP 404' if url.endswith('ramdisk') else None

    checks = by_name(doctor.run_checks(ctx, _head=head))
    assert checks['configuration'].status == doctor.OK
    assert checks['tftp_server'].status == doctor.OK
    assert checks['x86_64 deploy kernel'].status == doctor.OK
    assert checks['aarch64 deploy kernel'].status == doctor.OK
    bad = checks['aarch64 deploy ramdisk']
    assert bad.status == doctor.FAIL
    assert 'HTTP 404' in bad.detail
    assert '[multiarch_aarch64]deploy_ramdisk' in bad.detail
    assert sorted(heads) == ['http://images.example.com/arm.kernel',
                             'http://images.example.com/arm.ramdisk']
    plan = checks['ppc64le opal plan']
    assert plan.status == doctor.FAIL
    assert '[multiarch_ppc64le]deploy_kernel' in plan.detail
    assert checks['x86_64 uefi loader grubx64.efi'].status == doctor.OK


def test_missing_loader_says_what_to_set(conf_file, tmp_path):
    prepare(tmp_path, loaders=False)
    with open(conf_file, 'a') as f:
        f.write('loader_paths = grubaa64.efi:%s/none/grubaa64.efi\n'
                % tmp_path)
    ctx = common.load_context([conf_file])
    checks = by_name(doctor.run_checks(ctx, _head=lambda url: None))
    arm = checks['aarch64 uefi loader grubaa64.efi']
    assert arm.status == doctor.FAIL
    assert '%s/none/grubaa64.efi' % tmp_path in arm.detail
    assert ('Set [multiarch_aarch64]loader_paths, for example '
            'grubaa64.efi:') in arm.detail


def test_missing_roots_fail(ctx):
    checks = by_name(doctor.run_checks(ctx, _head=lambda url: None))
    assert checks['[pxe]tftp_root'].status == doctor.FAIL
    assert 'Create it or set [pxe]tftp_root' in checks[
        '[pxe]tftp_root'].detail


def test_bad_config_is_one_failed_check(tmp_path):
    path = tmp_path / 'bad.conf'
    path.write_text('[multiarch_x86_64]\nloaders = uefi:lilo\n')
    ctx = common.load_context([str(path)])
    checks = doctor.run_checks(ctx)
    assert [c.status for c in checks] == [doctor.FAIL]
    assert 'lilo' in checks[0].detail


def test_check_href_file_and_glance(tmp_path):
    present = tmp_path / 'k'
    present.write_text('x')
    assert doctor.check_href('file://%s' % present) is None
    assert 'no file' in doctor.check_href('file://%s/nope' % tmp_path)
    assert doctor.check_href('0b0d9f1c-8e3b-4a54-a1c5-3f2d1d0e4c44') is None


def test_head_unreachable_is_an_error():
    assert 'failed' in doctor.head('http://127.0.0.1:9/x', timeout=1)


def test_render_and_exit_status(ctx, tmp_path, monkeypatch):
    prepare(tmp_path)
    monkeypatch.setattr(doctor, 'head', lambda url, timeout=5: None)
    checks = doctor.run_checks(ctx, _head=lambda url: None)
    text = doctor.render(checks)
    assert text.splitlines()[0].startswith('ok    configuration: ')
    assert text.splitlines()[-1].endswith('failed')
    data = json.loads(doctor.render(checks, 'json'))
    assert {'name', 'status', 'detail'} == set(data[0])
    args = type('A', (), {'config_file': ctx.files, 'format': 'table'})()
    # ppc64le has no images in this configuration: a FAIL, exit 1
    assert doctor.run(args, out=io.StringIO()) == common.EXIT_PROBLEMS


def test_global_options_unclaimed_warned(conf_file, tmp_path):
    prepare(tmp_path)
    with open(conf_file, 'a') as f:
        f.write('[conductor]\ndeploy_kernel = http://images.example.com/k\n'
                '[pxe]\nloader_file_paths = bootx64.efi:/srv/bootx64.efi\n')
    checks = doctor.run_checks(common.load_context([conf_file]),
                               _head=lambda url: None)
    warn = by_name(checks)['global options']
    assert warn.status == doctor.WARN
    assert warn.detail == (
        'set but claimed by no architecture, so no node uses them: '
        '[conductor]deploy_kernel, [pxe]loader_file_paths. Set '
        '[multiarch]global_options_arch = x86_64 if they are built for '
        'x86_64 (or the architecture they are built for), or set the '
        '[multiarch_<arch>] options instead (deploy_kernel, '
        'deploy_ramdisk, rescue_kernel, rescue_ramdisk, loader_paths, '
        'console)')
    text = doctor.render(checks)
    assert ('WARN  global options: set but claimed by no architecture'
            in text)
    assert ', 1 warnings, ' in text.splitlines()[-1]


def test_global_options_claimed_not_warned(conf_file, tmp_path):
    prepare(tmp_path)
    with open(conf_file, 'a') as f:
        f.write('[conductor]\ndeploy_kernel = http://images.example.com/k\n')
    text = open(conf_file).read().replace(
        '[multiarch]\n', '[multiarch]\nglobal_options_arch = x86_64\n')
    with open(conf_file, 'w') as f:
        f.write(text)
    checks = doctor.run_checks(common.load_context([conf_file]),
                               _head=lambda url: None)
    assert 'global options' not in by_name(checks)
    assert doctor.WARN not in doctor.render(checks)


def test_missing_loader_names_unclaimed_ironic_path(conf_file, tmp_path):
    prepare(tmp_path, loaders=False)
    with open(conf_file, 'a') as f:
        f.write('loader_paths = grubaa64.efi:%s/none/grubaa64.efi\n'
                '[pxe]\nloader_file_paths = grubaa64.efi:/srv/grubaa64.efi\n'
                % tmp_path)
    ctx = common.load_context([conf_file])
    checks = by_name(doctor.run_checks(ctx, _head=lambda url: None))
    arm = checks['aarch64 uefi loader grubaa64.efi']
    assert arm.status == doctor.FAIL
    assert arm.detail.endswith(
        "[pxe]loader_file_paths is set but no architecture claims Ironic's "
        'global options. Set [multiarch]global_options_arch = aarch64 if '
        '[pxe]loader_file_paths is built for aarch64, or '
        '[multiarch_aarch64]loader_paths, for example '
        'grubaa64.efi:/srv/loaders/grubaa64.efi')
