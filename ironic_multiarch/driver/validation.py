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

"""What the multiarch boot interfaces check before they boot anything.

``validate``, ``validate_rescue`` and ``validate_inspection`` plan the
node as ``prepare_*`` later will, and refuse what these interfaces cannot
boot, with Ironic's exceptions and messages that name the node, the
architecture, the option to set and an example value.
"""

from oslo_config import cfg

from ironic.common import exception
from ironic.drivers.modules import deploy_utils
from ironic.drivers import utils as driver_utils

from ironic_multiarch.driver import compat
from ironic_multiarch.driver import config
from ironic_multiarch import exception as ma_exc
from ironic_multiarch import plan as planner
from ironic_multiarch import precedence as prec
from ironic_multiarch import tree

CONF = cfg.CONF


def ironic_error(exc):
    """Ironic's exception for a planner error.

    :param exc: a :class:`~ironic_multiarch.exception.MultiarchError`.
    :returns: ``MissingParameterValue`` for a value set nowhere, else
        ``InvalidParameterValue``, with the same message.
    """
    if isinstance(exc, ma_exc.PlanError) and exc.missing:
        return exception.MissingParameterValue(str(exc))
    return exception.InvalidParameterValue(str(exc))


class ValidationMixin(object):
    """Validation of the multiarch boot interfaces.

    Mixed into :class:`~ironic_multiarch.driver.boot.MultiarchBootMixin`,
    which provides ``plan``.
    """

    def _check_loaders(self, task, boot_plan):
        # UEFI HTTP boot fetches the loader from the HTTP root.
        root = planner.HTTP if self.http_boot_enabled else planner.TFTP
        for item, _ in tree.missing_loaders(config.roots()[root],
                                            boot_plan.loader_files)[:1]:
            problem = ('loader file %s is not in the %s root at %s (it is '
                       '%s when the conductor starts)'
                       % (item.name, root.upper(), item.path,
                          'linked there to %s' % item.link if item.link
                          else 'copied there from its host path'))
            option = '[multiarch_%s]loader_paths' % boot_plan.arch
            hint = prec.unclaimed_hint(config.load()[1],
                                       prec.LOADER_FILE_PATHS,
                                       boot_plan.arch, option)
            if hint:
                problem = '%s; %s' % (problem, hint[0])
                option = hint[1]
            raise ironic_error(ma_exc.MissingSetting(
                problem, node=task.node.name or task.node.uuid,
                arch=boot_plan.arch, option=option,
                example='%s:/srv/loaders/%s/%s' % (item.name, boot_plan.arch,
                                                   item.name)))

    def _check_file_hrefs(self, task, boot_plan):
        """Refuse ``file://`` images Ironic would refuse when fetching."""
        for role, chosen in (('kernel', boot_plan.kernel),
                             ('ramdisk', boot_plan.ramdisk)):
            reason = compat.file_href_problem(chosen.value)
            if reason:
                raise ironic_error(ma_exc.InvalidSetting(
                    'its %s %s cannot be used: %s' % (role, chosen.value,
                                                     reason),
                    node=task.node.name or task.node.uuid,
                    arch=boot_plan.arch,
                    option='%s, or [conductor]file_url_allowed_paths'
                    % chosen.source,
                    example='file:///var/lib/ironic/images/ipa-%s.%s'
                    % (boot_plan.arch, role)))

    def _refuse_unsupported(self, task):
        """Refuse what these interfaces cannot do, naming what can.

        :raises InvalidParameterValue: anaconda (kickstart), booting
            from an iSCSI volume, or ``instance_info/boot_iso``.
        """
        node = task.node
        feature = None
        # Ironic's own interface of the same transport.
        pxe_name, ipxe_name = (('http', 'http-ipxe') if self.http_boot_enabled
                               else ('pxe', 'ipxe'))
        if deploy_utils.get_boot_option(node) == 'kickstart':
            feature = 'the anaconda deploy (boot_option kickstart)'
            instead = pxe_name
        elif deploy_utils.is_iscsi_boot(task):
            feature = 'booting from an iSCSI volume'
            instead = ipxe_name
        elif node.instance_info.get('boot_iso'):
            feature = 'booting instance_info/boot_iso'
            instead = ipxe_name
        if feature:
            name = node.name or node.uuid
            raise ironic_error(ma_exc.InvalidSetting(
                '%s is not supported by the %s boot interface'
                % (feature, node.boot_interface), node=name,
                arch=node.properties.get('cpu_arch'),
                option="the node's boot interface to Ironic's own %s "
                       "interface" % instead,
                example='openstack baremetal node set --boot-interface %s '
                        '%s' % (instead, name)))

    def _validate_plan(self, task, mode):
        if not driver_utils.get_node_mac_addresses(task):
            raise exception.MissingParameterValue(
                'Node %s does not have any port associated with it'
                % task.node.uuid)
        if self.ipxe_enabled and not (CONF.deploy.http_url
                                      and CONF.deploy.http_root):
            raise exception.MissingParameterValue(
                'iPXE boot is enabled but no HTTP URL or HTTP root was '
                'specified')
        if self.http_boot_enabled and not CONF.deploy.http_root:
            raise exception.MissingParameterValue(
                'Node %s boots over UEFI HTTP but no HTTP root is set: set '
                '[deploy]http_root, e.g. /httpboot' % task.node.uuid)
        deploy_utils.validate_capabilities(task.node)
        boot_plan = self.plan(task, mode)
        self._check_loaders(task, boot_plan)
        self._check_file_hrefs(task, boot_plan)
        return boot_plan

    def validate(self, task):
        """Validate everything a later ``prepare_*`` call needs.

        Plans the deploy mode and, for a ramdisk instance whose kernel
        and ramdisk are known, the instance mode; refuses what these
        interfaces cannot boot.

        :raises MissingParameterValue: no ports, no images for its
            architecture, no cpu_arch, loader file absent.
        :raises InvalidParameterValue: unknown architecture, impossible
            boot mode, unsafe value, unsupported deploy kind.
        """
        node = task.node
        self._refuse_unsupported(task)
        if (node.instance_info.get('image_source')
                and node.instance_info.get('boot_iso')):
            raise exception.InvalidParameterValue(
                "An 'image_source' and 'boot_iso' parameter may not be "
                "specified at the same time")
        self._validate_plan(task, planner.DEPLOY)
        boot_option = deploy_utils.get_boot_option(node)
        if (not task.driver.storage.should_write_image(task)
                or boot_option == 'local'):
            return
        compat.check_ramdisk_image_source(task)
        d_info = deploy_utils.get_image_instance_info(node)
        deploy_utils.validate_image_properties(task, d_info)
        if (boot_option == 'ramdisk' and node.instance_info.get('kernel')
                and node.instance_info.get('ramdisk')):
            self._validate_plan(task, planner.INSTANCE)

    def validate_rescue(self, task):
        """Validate that the node can be planned in rescue mode."""
        self._validate_plan(task, planner.RESCUE)

    def validate_inspection(self, task):
        """Validate managed inspection (falls back to unmanaged)."""
        try:
            self._validate_plan(task, planner.DEPLOY)
        except exception.MissingParameterValue as exc:
            raise exception.UnsupportedDriverExtension(
                'Insufficient information for managed inspection: %s' % exc)
