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

"""Helpers of the CLI unit tests: a conductor ironic.conf in a file."""

import pytest

from ironic_multiarch.cmd import common

BASE_CONF = """[DEFAULT]
my_ip = 192.0.2.1
[pxe]
tftp_server = 192.0.2.10
tftp_root = {root}/tftpboot
[deploy]
http_url = http://192.0.2.10:8080
http_root = {root}/httpboot
[service_catalog]
endpoint_override = http://192.0.2.1:6385
[conductor]
file_url_allowed_paths = {root}/images
[multiarch]
enabled_architectures = x86_64,aarch64,ppc64le
[multiarch_x86_64]
deploy_kernel = file://{root}/images/x86.kernel
deploy_ramdisk = file://{root}/images/x86.ramdisk
[multiarch_aarch64]
deploy_kernel = http://images.example.com/arm.kernel
deploy_ramdisk = http://images.example.com/arm.ramdisk
"""


@pytest.fixture
def conf_file(tmp_path):
    """Write an ironic.conf (ppc64le has no images) and return its path."""
    path = tmp_path / 'ironic.conf'
    path.write_text(BASE_CONF.format(root=tmp_path))
    return str(path)


@pytest.fixture
def ctx(conf_file):
    """The :class:`~ironic_multiarch.cmd.common.Context` of ``conf_file``."""
    return common.load_context([conf_file])
