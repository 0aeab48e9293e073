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

"""A real network lab for netbooting emulated machines from Ironic.

``multiarch_lab`` is what only a test or a demo runs: a network namespace
with a bridge, Debian's dnsmasq reading the hosts and option directories
Ironic's dnsmasq DHCP provider writes, a small HTTP server, and QEMU
machines (TCG) each on a tap of its own with the MAC of its enrolled port.
A conductor never imports it. Tests find it because the repository root is
on ``sys.path``; users run it with ``tools/lab.sh`` (``python -m
multiarch_lab``).

Public API (stable; everything else is private)::

    from multiarch_lab import Lab, BootFailure, provision

    assets = provision()                    # apt packages, kernels, GRUB
    with Lab(workdir) as lab:               # namespace + bridge, cleaned up
        lab.ns, lab.bridge                  # 'malab-<pid>-<n>', 'br0'
        lab.bridge_ip, lab.bridge_ip6       # '10.20.0.1', 'fd20::1'
        lab.http_url(8080)                  # 'http://10.20.0.1:8080'
        lab.exec_argv(['cmd'])              # ['ip', 'netns', 'exec', ns, ..]
        ironic = StandaloneIronic(..., tftp_server=lab.bridge_ip,
                                  http_url=lab.http_url(8080))
        lab.http_server(ironic.http_root, port=8080)   # -> HttpServer
        dns = lab.dnsmasq(ironic.dnsmasq_hosts_dir, ironic.dnsmasq_opts_dir,
                          ironic.tftp_root, http_root=None,
                          extra_conf=['conf-file=/path/generated.conf'],
                          leasefile=None)              # -> Dnsmasq
        m = lab.add_machine('aarch64', 'uefi', '52:54:00:12:34:56',
                            http_boot=False, name='arm')   # -> Machine
        m.tap                               # 'tap0', on the bridge
        result = lab.boot(m, timeout=150, log_path=None, until=None)
        results = lab.boot_many([m1, m2], parallel=2, timeout=150)
        lab.unserved(ironic.dnsmasq_opts_dir, ironic.tftp_root)  # -> []
        lab.close()                         # also on exit and at atexit

- :class:`Lab` ``(workdir, subnet='10.20.0', ula='fd20::', assets=None)``;
  a context manager. Creating one first removes namespaces named
  ``malab-<pid>-*`` whose process is gone (killing what still runs in
  them). :meth:`Lab.close` kills the lab's QEMUs, dnsmasq and HTTP servers
  (by process id) and deletes the namespace, which removes its taps.
- :meth:`Lab.dnsmasq` starts dnsmasq 2.90 in the namespace: DHCPv4 on the
  bridge, router advertisements for the ULA, TFTP from ``tftp_root``,
  ``dhcp-hostsdir``/``dhcp-optsdir`` (re-read live), ``dhcp-match=set:ipxe,
  175``, ``dhcp-vendorclass=set:httpclient,HTTPClient``, ``log-dhcp``.
  ``extra_conf`` lines are appended verbatim (e.g. ``conf-file=...`` with
  ``ironic-multiarch dnsmasq`` output). With ``http_root`` it also starts
  :meth:`Lab.http_server` on ``http_port``. The returned :class:`Dnsmasq`
  has ``conf_path``, ``log_path``, ``leasefile``, :meth:`Dnsmasq.answers`
  ``(mac=None, since=0) -> [DhcpAnswer]`` (what dnsmasq sent: kind, ip,
  tags, ``options`` ``{code: [values]}``, ``bootfile``),
  :meth:`Dnsmasq.tftp_log` ``(ip=None, since=0) -> [(event, path)]``
  (``sent``, ``not found``, ``error``) and ``log_size()`` (an offset
  for ``since``).
- :meth:`Lab.http_server` ``(root, port=8080)`` serves ``root`` on the
  bridge address; :class:`HttpServer` has ``url``, ``port``, ``root`` and
  :meth:`HttpServer.requests` ``(client=None) -> [(path, status)]``.
- :meth:`Lab.unserved` ``(optsdir, tftp_root) -> [(file, option, value,
  reason)]``: what Ironic's option files advertise (67, 209) that no
  server of the lab would deliver (a missing file, an HTTP port nobody
  listens on). Empty when all is served.
- :meth:`Lab.add_machine` ``(arch, firmware, mac, http_boot=False,
  name=None)`` adds a tap; ``arch`` is ``x86_64`` or ``aarch64``,
  ``firmware`` ``bios`` (x86_64) or ``uefi``. ``http_boot=True`` disables
  PXE in OVMF/AAVMF (``opt/org.tianocore/IPv4PXESupport`` and
  ``IPv6PXESupport`` = ``n``), so the firmware does UEFI HTTP boot.
- :meth:`Lab.boot` runs one QEMU in the namespace and returns a
  :class:`BootResult` (``arch``, ``cmdline``, ``consoles``, ``elapsed``,
  ``log``, ``dhcp``: the :class:`DhcpAnswer` list for the machine's MAC,
  ``bootfile``: the first option 67 it got) when the marker initramfs has
  printed, or when ``until`` (a regex) matches the serial log. It raises
  :class:`BootFailure` (with the serial tail and dnsmasq's answers) at the
  first failure pattern, an early QEMU exit or the timeout; also when a
  loader printed its banner (GRUB) and then no TFTP or HTTP request of
  the machine reached the lab for 20 s (GRUB booted from an HTTP URL with
  a port sends TFTP to that port, silently, forever).
  :meth:`Lab.boot_many` boots ``parallel`` machines at a time and returns,
  in order, a :class:`BootResult` or a :class:`BootFailure` per machine.
- :func:`provision` / :class:`Assets`, :func:`build_grub_efi`,
  :func:`build_marker_initramfs`: host packages, cached downloads
  (``~/.cache/ironic-multiarch/boot``) and boot images.
- :func:`slirp_boot`: the same boot on QEMU's user-mode network (its own
  DHCP/TFTP), for tests about a file rather than the network.
- :mod:`multiarch_lab.fleet`: a StandaloneIronic on the lab's bridge
  (``make_ironic``), ``generated_dnsmasq_conf``, ``serve`` (HTTP +
  dnsmasq for it), ``enroll`` (nodes to ``clean wait`` with their CLI
  plans) and ``run`` (``tools/lab.sh``, ``python -m multiarch_lab``).
- The life cycle with real parts (``tools/lab.sh lifecycle``):
  :mod:`multiarch_lab.ipa_ramdisk` builds ironic-python-agent ramdisks
  per architecture (``tools/build-ipa-ramdisk.sh``);
  :mod:`multiarch_lab.bmc` runs libvirtd, sushy-tools and VirtualBMC;
  :mod:`multiarch_lab.disk_image` makes the whole-disk image;
  :mod:`multiarch_lab.lifecycle` puts them, the lab and one Ironic
  together and :mod:`multiarch_lab.lifecycle_run` drives the nodes.
- Several conductors: :mod:`multiarch_lab.multiconductor` (one API, N
  conductors over JSON-RPC) on :mod:`multiarch_lab.mariadb`.
"""

from multiarch_lab.assets import Assets, default_cache_dir, provision  # noqa
from multiarch_lab.dnsmasq import DhcpAnswer, Dnsmasq  # noqa
from multiarch_lab.httpd import HttpServer  # noqa
from multiarch_lab.images import build_grub_efi  # noqa
from multiarch_lab.images import build_marker_initramfs  # noqa
from multiarch_lab.lab import Lab, Machine  # noqa
from multiarch_lab.netns import sweep_stale  # noqa
from multiarch_lab.qemu import BootFailure, BootResult, slirp_boot  # noqa
