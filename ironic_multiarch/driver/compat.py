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

"""The few places where supported Ironic releases differ.

Supported: 2024.1 (ironic 24.1.x), 2025.1 (29.0.x), 2026.2 (39.0.x).
Everything else the driver uses is the same in all three.
"""


from ironic.common import exception
from ironic.common.glance_service import service_utils
from ironic.common import image_service
from ironic.drivers.modules import deploy_utils
from ironic.drivers.modules import ramdisk

from ironic_multiarch import exception as ma_exc


def file_href_problem(href):
    """Why Ironic would refuse to fetch a ``file://`` image, if it would.

    Releases with ``[conductor]file_url_allowed_paths`` refuse files
    outside those paths (and a few system paths) when they fetch them;
    asking the image service early lets validation say so.

    :param href: an image reference, or ``None``.
    :returns: the reason, or ``None`` if the image is not a ``file://``
        URL or Ironic accepts it.
    """
    if not (isinstance(href, str) and href.startswith('file://')):
        return None
    try:
        image_service.FileImageService().validate_href(href)
    except exception.IronicException as exc:
        return str(exc)
    return None



#: 2026.2's ramdisk deploy reads a Glance image's ``kernel_id`` and
#: ``ramdisk_id`` into instance_info in ``prepare``; 2024.1 and 2025.1
#: require instance_info ``kernel`` and ``ramdisk`` for a ramdisk deploy
#: (``deploy_utils.get_image_instance_info``), with the stock boot
#: interfaces too.
RAMDISK_READS_GLANCE = hasattr(ramdisk.RamdiskDeploy,
                               '_resolve_image_info_from_glance')


def check_ramdisk_image_source(task):
    """Refuse a Glance-only ramdisk deploy where Ironic cannot do it.

    On releases without :data:`RAMDISK_READS_GLANCE`, a ramdisk deploy
    whose instance_info names only a Glance ``image_source`` fails in
    Ironic itself at deploy time; this says so at validation, naming
    what to set.

    :param task: a TaskManager task.
    :raises MissingParameterValue: such a deploy on such a release.
    """
    node = task.node
    i_info = node.instance_info
    source = i_info.get('image_source')
    if (RAMDISK_READS_GLANCE
            or deploy_utils.get_boot_option(node) != 'ramdisk'
            or i_info.get('boot_iso')
            or (i_info.get('kernel') and i_info.get('ramdisk'))
            or not source or not service_utils.is_glance_image(source)):
        return
    name = node.name or node.uuid
    raise exception.MissingParameterValue(str(ma_exc.MissingSetting(
        'a ramdisk deploy from Glance image %s needs instance_info kernel '
        'and ramdisk on this Ironic release (it reads the image\'s '
        'kernel_id and ramdisk_id from 2026.2 on)' % source, node=name,
        arch=node.properties.get('cpu_arch'),
        option='instance_info/kernel and instance_info/ramdisk',
        example='openstack baremetal node set %s --instance-info '
                'kernel=<kernel image UUID or URL> --instance-info '
                'ramdisk=<ramdisk image UUID or URL>' % name)))
