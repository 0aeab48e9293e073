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

"""The parity matrix: scenarios run through stock and multiarch."""

import dataclasses

from ironic.common import states

#: Added with service steps; guard so older releases skip, not fail.
SERVICING = getattr(states, 'SERVICING', None)

#: flow -> steps (boot interface method, provision state for the call)
FLOWS = {
    'deploy': (('validate', states.DEPLOYING),
               ('prepare_ramdisk', states.DEPLOYING),
               ('prepare_instance', states.DEPLOYING)),
    'clean': (('prepare_ramdisk', states.CLEANING),
              ('clean_up_ramdisk', states.CLEANING)),
    'rescue': (('validate_rescue', states.RESCUING),
               ('prepare_ramdisk', states.RESCUING),
               ('clean_up_ramdisk', states.UNRESCUING),
               ('prepare_instance', states.UNRESCUING)),
    'service': (('prepare_ramdisk', SERVICING),
                ('clean_up_ramdisk', SERVICING)),
    # The agent stays up after cleaning: no clean_up_ramdisk, deploy goes
    # straight to prepare_instance.
    'fast-track': (('prepare_ramdisk', states.CLEANING),
                   ('prepare_instance', states.DEPLOYING)),
    'takeover-active': (('prepare_instance', states.ACTIVE),),
    'takeover-adopting': (('prepare_instance', states.ADOPTING),),
    'adoption': (('validate', states.ADOPTING),
                 ('prepare_instance', states.ADOPTING)),
    'teardown': (('prepare_ramdisk', states.DEPLOYING),
                 ('prepare_instance', states.DEPLOYING),
                 ('clean_up_instance', states.DELETING)),
}


@dataclasses.dataclass(frozen=True)
class Scenario:
    interface: str = 'multiarch-pxe'
    flow: str = 'deploy'
    boot_mode: str = 'uefi'
    deploy: str = 'direct'
    image: str = 'whole-disk'
    dhcp: str = 'dnsmasq'
    secure_boot: bool = False
    bfv: bool = False
    boot_iso: bool = False
    nics: int = 1
    bmc_boot_mode: str = None
    config: tuple = ()
    enable_all: bool = False
    umask: int = None
    instance_info: tuple = ()
    driver_info: tuple = ()
    tag: str = ''

    @property
    def steps(self):
        return FLOWS[self.flow]

    @property
    def id(self):
        parts = [self.interface.replace('multiarch-', ''), self.flow,
                 self.boot_mode or 'nomode', self.deploy, self.image,
                 self.dhcp]
        if self.tag:
            parts.append(self.tag)
        return '-'.join(parts)


def build():
    out = []

    def add(**kw):
        sc = Scenario(**kw)
        out.append(sc)

    for iface in ('multiarch-pxe', 'multiarch-ipxe'):
        for dhcp in ('dnsmasq', 'neutron'):
            # Deploy: every deploy interface x image x boot mode.
            for mode in ('uefi', 'bios'):
                for deploy in ('direct', 'ramdisk', 'anaconda'):
                    images = (('whole-disk', 'partition')
                              if deploy == 'direct' else ('partition',))
                    for image in images:
                        add(interface=iface, dhcp=dhcp, boot_mode=mode,
                            deploy=deploy, image=image)
            for flow in ('clean', 'rescue', 'service', 'fast-track',
                         'takeover-active', 'takeover-adopting',
                         'adoption', 'teardown'):
                add(interface=iface, dhcp=dhcp, flow=flow)
        # Life cycles of a ramdisk instance.
        for flow in ('takeover-active', 'teardown', 'rescue'):
            add(interface=iface, flow=flow, deploy='ramdisk',
                image='partition')
        # Partition image, local boot, tear-down and takeover.
        add(interface=iface, flow='teardown', image='partition')
        add(interface=iface, flow='takeover-active', image='partition',
            boot_mode='bios')
        # Netboot fallback on and off.
        for value in (True, False):
            for flow in ('deploy', 'takeover-active'):
                add(interface=iface, flow=flow,
                    config=(('pxe/enable_netboot_fallback', value),),
                    tag='fallback-%s' % str(value).lower())
        # Secure boot.
        add(interface=iface, secure_boot=True, tag='secure-boot')
        add(interface=iface, flow='teardown', secure_boot=True,
            tag='secure-boot')
        # A BMC whose boot mode differs from the node's.
        add(interface=iface, boot_mode=None, bmc_boot_mode='bios',
            tag='bmc-bios')
        add(interface=iface, boot_mode='uefi', bmc_boot_mode='bios',
            tag='bmc-bios')
        # Four and more NICs.
        add(interface=iface, nics=5, tag='5nics')
        add(interface=iface, nics=4, flow='clean', dhcp='neutron',
            tag='4nics')
        # Stock and multiarch enabled side by side, stock first.
        add(interface=iface, enable_all=True, tag='side-by-side')
        # A strict umask.
        add(interface=iface, umask=0o077, tag='umask077')
        add(interface=iface, umask=0o077, flow='rescue', boot_mode='bios',
            tag='umask077')
        # Instance kernel arguments on a ramdisk instance.
        add(interface=iface, deploy='ramdisk', image='partition',
            instance_info=(('ramdisk_kernel_arguments', 'rd.foo=1 quiet'),
                           ('kernel_append_params', '%default% ma=1')),
            tag='instance-args')
        # %default% in the node's kernel_append_params.
        add(interface=iface, driver_info=(
            ('kernel_append_params', '%default% extra=1'),),
            tag='default-args')
        # DHCPv6 boot URLs: an IPv6 [pxe]tftp_server (bracketed in URLs,
        # as is in options 66/150/255 and boot_server=), and
        # [DEFAULT]my_ipv6, the host of the IPv6 URLs when set.
        for dhcp in ('dnsmasq', 'neutron'):
            add(interface=iface, dhcp=dhcp,
                config=(('pxe/tftp_server', '2001:db8::1'),),
                tag='tftp-ipv6')
        add(interface=iface, boot_mode='bios',
            config=(('pxe/tftp_server', '2001:db8::1'),), tag='tftp-ipv6')
        add(interface=iface, config=(('DEFAULT/my_ipv6', '2001:db8::2'),),
            tag='my-ipv6')
        # Debug on: ipa-debug must appear once.
        add(interface=iface, config=(('DEFAULT/debug', True),), tag='debug')
        # Ramdisk deploy of an ISO.
        add(interface=iface, deploy='ramdisk', image='partition',
            boot_iso=True, tag='boot-iso')
    # UEFI HTTP boot (x86_64 UEFI; BIOS is refused at validate).
    for iface in ('multiarch-http', 'multiarch-http-ipxe'):
        for dhcp in ('dnsmasq', 'neutron'):
            for deploy, image in (('direct', 'whole-disk'),
                                  ('direct', 'partition'),
                                  ('ramdisk', 'partition'),
                                  ('anaconda', 'partition')):
                add(interface=iface, dhcp=dhcp, deploy=deploy, image=image)
            for flow in ('clean', 'rescue', 'fast-track', 'takeover-active',
                         'adoption', 'teardown'):
                add(interface=iface, dhcp=dhcp, flow=flow)
        add(interface=iface, boot_mode='bios', tag='bios')
        add(interface=iface, flow='teardown', deploy='ramdisk',
            image='partition')
        add(interface=iface, secure_boot=True, tag='secure-boot')
        add(interface=iface, nics=5, tag='5nics')
        add(interface=iface, enable_all=True, tag='side-by-side')
        add(interface=iface, umask=0o077, tag='umask077')
        add(interface=iface, config=(('DEFAULT/my_ipv6', '2001:db8::2'),),
            tag='my-ipv6')
        add(interface=iface, config=(('pxe/enable_netboot_fallback', True),),
            tag='fallback-true')
        add(interface=iface, deploy='ramdisk', image='partition',
            boot_iso=True, tag='boot-iso')
    # Boot from an iSCSI volume: iPXE only (stock pxe has no sanboot).
    for flow in ('deploy', 'takeover-active', 'teardown'):
        add(interface='multiarch-ipxe', flow=flow, bfv=True,
            tag='iscsi-bfv')
    return out


SCENARIOS = build()
