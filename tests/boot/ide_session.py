#!/usr/bin/env python3
"""ide.<arch>.launch, the part an IDE plays: reads the files of `ninja ide-<arch>` and uses them
as VS Code's cppdbg and Eclipse CDT would, against the real gdb and QEMU.

  eclipse   checks the Eclipse .launch file: well-formed XML (expat), the launch type and the
            attributes CDT's GDB Hardware Debugging reads, with the same port, gdb, vmlinux and
            commands as launch.json.
  session   starts tasks.json's task (ninja gdbserver-<arch>) in its own session, waits for its
            endsPattern, then drives launch.json's miDebuggerPath with --interpreter=mi in
            cppdbg's order: each setupCommands text, -file-exec-and-symbols program,
            -target-select remote miDebuggerServerAddress, each postRemoteConnectCommands text.
            It must end stopped in start_kernel with a file and line, with lx-symbols run; then
            the task's process group is ended.

usage: ide_session.py eclipse|session STATE_DIR ARCH PORT
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.parsers.expat
import xml.etree.ElementTree as ET


def fail(message):
    print('FAIL: ' + message)
    sys.exit(1)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail('{}: {}'.format(path, e))


def mi_quote(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def check_eclipse(state, arch, port, launch):
    path = os.path.join(state, 'eclipse', 'kdk-{}.launch'.format(arch))
    with open(path, 'rb') as f:
        data = f.read()
    try:
        xml.parsers.expat.ParserCreate().Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        fail('{} is not well-formed XML: {}'.format(path, e))
    root = ET.fromstring(data)
    if root.tag != 'launchConfiguration' or root.get('type') != 'org.eclipse.cdt.debug.gdbjtag.launchConfigurationType':
        fail('{}: not a GDB Hardware Debugging launch configuration: <{} type={}>'.format(path, root.tag, root.get('type')))
    attrs = {}
    for e in root:
        key = e.get('key')
        if key in attrs:
            fail('{}: attribute {} is given twice'.format(path, key))
        kind = e.tag
        value = e.get('value')
        if kind == 'intAttribute':
            if not re.fullmatch(r'-?[0-9]+', value or ''):
                fail('{}: {} is no integer: {!r}'.format(path, key, value))
            value = int(value)
        elif kind == 'booleanAttribute':
            if value not in ('true', 'false'):
                fail('{}: {} is no boolean: {!r}'.format(path, key, value))
            value = value == 'true'
        elif kind != 'stringAttribute':
            fail('{}: unexpected element <{}>'.format(path, kind))
        attrs[key] = value
    g = 'org.eclipse.cdt.debug.gdbjtag.core.'
    config = launch['configurations'][0]
    want = {
        g + 'useRemoteTarget': True,
        g + 'ipAddress': '127.0.0.1',
        g + 'portNumber': port,
        g + 'jtagDeviceId': g + 'jtagdevice.genericDevice',
        g + 'loadImage': False,
        g + 'loadSymbols': True,
        g + 'doReset': False,
        g + 'doHalt': False,
        'org.eclipse.cdt.dsf.gdb.DEBUG_NAME': config['miDebuggerPath'],
        'org.eclipse.cdt.launch.PROGRAM_NAME': config['program'],
        g + 'initCommands': '\n'.join(c['text'] for c in config['setupCommands']),
        g + 'runCommands': '\n'.join(c['text'] for c in config['postRemoteConnectCommands']),
    }
    for key, value in want.items():
        if attrs.get(key) != value:
            fail('{}: {} is {!r}, not {!r}'.format(path, key, attrs.get(key), value))
    for key in ('org.eclipse.cdt.dsf.gdb.DEBUG_NAME', 'org.eclipse.cdt.launch.PROGRAM_NAME'):
        if not os.path.isfile(attrs[key]):
            fail('{}: {} names {}, which is not a file'.format(path, key, attrs[key]))
    print('ok: {} is well-formed, of GDB Hardware Debugging, and names 127.0.0.1:{}, {} and the {} + {} gdb commands of launch.json'.format(
        path, port, attrs['org.eclipse.cdt.launch.PROGRAM_NAME'], len(config['setupCommands']), len(config['postRemoteConnectCommands'])))


class Gdb:
    """gdb under the machine interface, as an IDE runs it; every line kept in mi.log."""

    def __init__(self, argv, log):
        self.log = open(log, 'w')
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.token = 0
        self.records = []  # every output line, in order

    def read_line(self, deadline):
        # The pipe is line-buffered text; a blocking readline is bounded by the alarm below.
        signal.alarm(max(1, int(deadline - time.monotonic())))
        try:
            line = self.proc.stdout.readline()
        finally:
            signal.alarm(0)
        if not line:
            fail('gdb exited (mi.log has its output)')
        self.log.write(line)
        self.log.flush()
        self.records.append(line.rstrip('\n'))
        return line.rstrip('\n')

    def command(self, text, timeout=120):
        """Sends `<token><text>` and returns (result class, result line, lines since sent)."""
        self.token += 1
        token = str(self.token)
        self.log.write('>>> {}{}\n'.format(token, text))
        self.proc.stdin.write('{}{}\n'.format(token, text))
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        start = len(self.records)
        while True:
            line = self.read_line(deadline)
            m = re.match(r'^' + token + r'\^(done|running|connected|error|exit)(,.*)?$', line)
            if m:
                return m.group(1), line, self.records[start:]

    def wait_for(self, pattern, timeout=120):
        deadline = time.monotonic() + timeout
        for line in self.records:
            if re.search(pattern, line):
                return line
        while True:
            line = self.read_line(deadline)
            if re.search(pattern, line):
                return line


def on_alarm(signum, frame):
    fail('gdb did not answer in time (mi.log has its output)')


def session(state, arch, port, launch):
    config = launch['configurations'][0]
    tasks = load(os.path.join(state, '.vscode', 'tasks.json'))
    task = [t for t in tasks['tasks'] if t['label'] == config['preLaunchTask']]
    if len(task) != 1:
        fail('tasks.json has no task {!r} (launch.json preLaunchTask)'.format(config['preLaunchTask']))
    task = task[0]
    if config['miDebuggerServerAddress'] != '127.0.0.1:{}'.format(port):
        fail('launch.json connects to {}, not 127.0.0.1:{}'.format(config['miDebuggerServerAddress'], port))
    # The preLaunchTask, as VS Code runs a background task: until its endsPattern.
    out = open('task.log', 'w')
    server = subprocess.Popen([task['command']] + task['args'], stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ends = re.compile(task['problemMatcher']['background']['endsPattern'])
        deadline = time.monotonic() + 300
        while True:
            with open('task.log', errors='replace') as f:
                text = f.read()
            if any(ends.search(l) for l in text.splitlines()):
                break
            if server.poll() is not None:
                fail('the task {} ended before it was ready: {}'.format(task['label'], text[-2000:]))
            if time.monotonic() > deadline:
                fail('the task {} was not ready after 300 s'.format(task['label']))
            time.sleep(0.1)
        signal.signal(signal.SIGALRM, on_alarm)
        gdb = Gdb([config['miDebuggerPath'], '--interpreter=mi', config.get('miDebuggerArgs', '-nx')], 'mi.log')
        gdb.wait_for(r'^\(gdb\) ?$', 30)
        for c in config['setupCommands']:
            result, line, _ = gdb.command('-interpreter-exec console ' + mi_quote(c['text']))
            if result != 'done':
                fail('setup command {!r}: {}'.format(c['text'], line))
        result, line, _ = gdb.command('-file-exec-and-symbols ' + mi_quote(config['program']))
        if result != 'done':
            fail('-file-exec-and-symbols: {}'.format(line))
        result, line, _ = gdb.command('-target-select remote ' + config['miDebuggerServerAddress'])
        if result != 'connected':
            fail('-target-select remote {}: {}'.format(config['miDebuggerServerAddress'], line))
        for c in config['postRemoteConnectCommands']:
            result, line, lines = gdb.command('-interpreter-exec console ' + mi_quote(c['text']), timeout=300)
            if result not in ('done', 'running'):
                fail('post-connect command {!r}: {}'.format(c['text'], line))
        result, line, _ = gdb.command('-stack-info-frame')
        m = re.search(r'func="([^"]*)".*file="([^"]*)".*line="([0-9]+)"', line)
        if result != 'done' or not m:
            fail('-stack-info-frame: {}'.format(line))
        func, file, lineno = m.groups()
        if func != 'start_kernel' or not file.endswith('init/main.c'):
            fail('stopped in {} at {}:{}, not in start_kernel (init/main.c)'.format(func, file, lineno))
        stopped = [r for r in gdb.records if r.startswith('*stopped')]
        if not stopped:
            fail('gdb reported no *stopped record')
        if not any('scanning for modules' in r or 'loading vmlinux' in r for r in gdb.records):
            fail('lx-symbols did not run (no "loading vmlinux" or "scanning for modules" in mi.log)')
        gdb.command('-gdb-exit', timeout=30)
        print('ok: {}: gdb --interpreter=mi with launch.json\'s {} setup and {} post-connect commands stopped at {}:{} ({}); lx-symbols ran'.format(
            arch, len(config['setupCommands']), len(config['postRemoteConnectCommands']), file, lineno, func))
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main():
    mode, state, arch, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    launch = load(os.path.join(state, '.vscode', 'launch.json'))
    if mode == 'eclipse':
        check_eclipse(state, arch, port, launch)
    elif mode == 'session':
        session(state, arch, port, launch)
    else:
        fail('unknown mode ' + mode)


if __name__ == '__main__':
    main()
