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

"""What a lab boot is checked against while it runs, and how its DHCP
replies are told.
"""

#: A loader's banner, after which it must talk to the lab's servers.
LOADER_BANNERS = ('Welcome to GRUB!',)
#: Seconds a started loader may go without a TFTP or HTTP request.
QUIET_LIMIT = 20


def requests(machine, dns, since, http_servers):
    """TFTP and HTTP requests of a machine's addresses so far."""
    ips = {a.ip for a in dns.answers(machine.mac, since)}
    found = [e for ip in ips for e in dns.tftp_log(ip, since)]
    for server in http_servers:
        found += [r for ip in ips for r in server.requests(ip)]
    return found


def silent_loader(machine, dns, since, http_servers):
    """A :func:`~multiarch_lab.qemu.watch` check: a loader that has
    printed its banner must reach the lab's TFTP or HTTP server within
    :data:`QUIET_LIMIT` seconds. GRUB booted over HTTP from a URL with
    a port sends TFTP to that port and waits forever, silently.

    :param machine: the :class:`~multiarch_lab.lab.Machine` booting.
    :param dns: the lab's :class:`~multiarch_lab.dnsmasq.Dnsmasq`, or
        ``None`` (no check).
    :param since: dnsmasq's log offset at the start of the boot.
    :param http_servers: the lab's HTTP servers.
    :returns: ``check(text, elapsed)``, a reason once the loader is silent.
    """
    state = {}

    def count():
        return len(requests(machine, dns, since, http_servers))

    def check(text, elapsed):
        if dns is None or state.get('done'):
            return None
        if 'banner' not in state:
            banner = next((b for b in LOADER_BANNERS if b in text), None)
            if banner:
                state['banner'] = (banner, elapsed, count())
            return None
        banner, seen, before = state['banner']
        if elapsed - seen < QUIET_LIMIT:
            return None
        if count() > before:
            state['done'] = True
            return None
        return ('%r printed, then no TFTP or HTTP request reached the '
                'lab in %ds (GRUB booted from a URL with a port sends '
                'TFTP to that port)' % (banner, QUIET_LIMIT))

    return check


def describe(answers):
    """:returns: one line per DHCP reply: kind, IP, tags, option 67/60."""
    if not answers:
        return '(nothing)'
    return '\n'.join(
        '%s %s tags=%s 67=%s header-file=%s 60=%s' % (
            a.kind, a.ip, ','.join(a.tags), a.options.get(67),
            a.bootfile_name, a.options.get(60)) for a in answers)
