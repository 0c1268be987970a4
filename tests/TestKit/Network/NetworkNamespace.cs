using System.Diagnostics;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MobZ.TestKit.Network;

/// <summary>
/// A Linux network namespace joined to this one by a veth pair with private /30 addresses (10.200.x.1 here,
/// 10.200.x.2 inside), so a test can run a real client (Chromium, aiortc) behind a firewall it controls:
/// <code>
/// await using var ns = await NetworkNamespace.CreateAsync();
/// await ns.RunInsideAsync("iptables", "-A", "OUTPUT", "-p", "udp", "-j", "DROP");   // a network that blocks UDP
/// var chromium = await Chromium.LaunchAsync(new() { ExecutablePath = ns.Wrap("/usr/bin/chromium") });
/// </code>
/// Needs root and iproute2/iptables; without them <see cref="CreateAsync"/> throws saying so (a test must not pass
/// silently where it could not check anything). Disposing deletes the namespace, the veth pair and the wrappers.
/// </summary>
public sealed partial class NetworkNamespace : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly List<string> _wrappers = [];
    private readonly string _hostLink;

    private NetworkNamespace(
        string name,
        string hostLink,
        string namespaceLink,
        IPAddress hostAddress,
        IPAddress namespaceAddress
    )
    {
        Name = name;
        _hostLink = hostLink;
        NamespaceLink = namespaceLink;
        HostAddress = hostAddress;
        NamespaceAddress = namespaceAddress;
    }

    public string Name { get; }

    /// <summary>The namespace's end of the veth pair: shape what leaves the namespace here (<c>tc qdisc … dev
    /// NamespaceLink</c>, run inside).</summary>
    public string NamespaceLink { get; }

    /// <summary>Our side of the veth pair: bind servers here to be reachable from inside.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The namespace's side of the veth pair, the source address of everything inside.</summary>
    public IPAddress NamespaceAddress { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        if (!OperatingSystem.IsLinux())
            throw new InvalidOperationException("network namespaces need Linux");
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"network namespaces need root (running as '{Environment.UserName}'): run the Interop tests as root"
            );
        }

        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/sbin/iptables" })
        {
            if (!File.Exists(tool) && !File.Exists(tool.Replace("/usr/sbin/", "/sbin/", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(
                    $"{Path.GetFileName(tool)} is missing (Debian packages iproute2 and iptables; scripts/install-prereqs.sh test)"
                );
            }
        }

        string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        string name = "mobz-" + id;
        // Interface names have at most 15 characters.
        string hostLink = "mzh" + id,
            nsLink = "mzn" + id;
        int octet = RandomNumberGenerator.GetInt32(0, 64) * 4;
        int third = RandomNumberGenerator.GetInt32(0, 256);
        var host = IPAddress.Parse($"10.200.{third}.{octet + 1}");
        var inside = IPAddress.Parse($"10.200.{third}.{octet + 2}");
        var ns = new NetworkNamespace(name, hostLink, nsLink, host, inside);
        try
        {
            await RunAsync("ip", "netns", "add", name);
            await RunAsync("ip", "link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
            await RunAsync("ip", "link", "set", nsLink, "netns", name);
            await RunAsync("ip", "addr", "add", $"{host}/30", "dev", hostLink);
            await RunAsync("ip", "link", "set", hostLink, "up");
            await ns.RunInsideAsync("ip", "addr", "add", $"{inside}/30", "dev", nsLink);
            await ns.RunInsideAsync("ip", "link", "set", nsLink, "up");
            await ns.RunInsideAsync("ip", "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="create"/> on a thread that has joined the namespace, for in-process servers and clients:
    /// a socket stays in the namespace it was opened in, whichever thread uses it afterwards, so everything
    /// <paramref name="create"/> opens talks over the namespace's own loopback (and what <c>tc</c> set up there).
    /// </summary>
    public T CreateInside<T>(Func<T> create)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (SetNamespace(handle, CloneNewNet) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new InvalidOperationException($"setns into {Name} failed: errno {errno}");
                }
                result = create();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            Name = "netns-" + Name,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int type);

    /// <summary>Runs a command inside the namespace (ip netns exec); throws with its output when it fails.</summary>
    public Task<string> RunInsideAsync(params string[] command) => RunAsync(["ip", "netns", "exec", Name, .. command]);

    /// <summary>
    /// A script that runs <paramref name="executable"/> inside the namespace with the arguments and file descriptors
    /// it was given — what Playwright's ExecutablePath needs (it talks to Chromium over inherited pipes).
    /// </summary>
    public string Wrap(string executable)
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Name}-{Path.GetFileName(executable)}");
        File.WriteAllText(path, $"#!/bin/sh\nexec ip netns exec {Name} {executable} \"$@\"\n");
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("network namespaces need Linux");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _wrappers.Add(path);
        return path;
    }

    /// <summary>Limits what leaves the namespace (its uplink) to <paramref name="rate"/> ("500kbit").</summary>
    public Task LimitUplinkAsync(string rate) => RunInsideAsync([.. TokenBucket(NamespaceLink, rate)]);

    /// <summary>Limits what enters the namespace (its downlink) to <paramref name="rate"/>, on our end.</summary>
    public Task LimitDownlinkAsync(string rate) => RunAsync([.. TokenBucket(_hostLink, rate)]);

    /// <summary>Takes the limit of <see cref="LimitDownlinkAsync"/> away again: the link is as fast as
    /// before.</summary>
    public Task LiftDownlinkAsync() => RunAsync("tc", "qdisc", "del", "dev", _hostLink, "root");

    /// <summary>A shaped link as a token bucket: it queues up to 300 ms, then drops.</summary>
    private static string[] TokenBucket(string link, string rate) =>
        ["tc", "qdisc", "add", "dev", link, "root", "tbf", "rate", rate, "burst", "16kbit", "latency", "300ms"];

    private static async Task<string> RunAsync(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"'{string.Join(' ', command)}' did not finish in {CommandTimeout.TotalSeconds} s"
            );
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', command)}' failed ({process.ExitCode}): {await stderr}{await stdout}"
            );
        }

        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var wrapper in _wrappers)
            File.Delete(wrapper);
        // Deleting the namespace destroys its end of the pair and with it ours; deleting ours too covers a namespace
        // that was never made or whose peer link never moved in.
        await TryAsync("ip", "netns", "del", Name);
        await TryAsync("ip", "link", "del", _hostLink);
    }

    private static async Task TryAsync(params string[] command)
    {
        try
        {
            await RunAsync(command);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
    }
}
