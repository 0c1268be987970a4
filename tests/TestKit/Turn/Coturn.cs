using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace MobZ.TestKit.Turn;

/// <summary>
/// A real TURN server for tests: Debian's coturn on loopback (or another local address, such as the host side of
/// a <see cref="MobZ.TestKit.Network.NetworkNamespace"/>) with the TURN REST API's shared secret
/// (<c>use-auth-secret</c>), relaying to loopback or local peers (the Munits under test). Ready once it answers a STUN
/// Binding request; stopped and its process reaped on dispose.
/// </summary>
public sealed class Coturn : IAsyncDisposable
{
    public const string Executable = "/usr/bin/turnserver";
    private readonly Process _process;

    private readonly string _home;

    private Coturn(Process process, IPAddress address, int port, string secret, string home)
    {
        _process = process;
        Address = address;
        _home = home;
        Port = port;
        Secret = secret;
    }

    public IPAddress Address { get; }
    public int Port { get; }
    public string Secret { get; }

    /// <summary>The URL to hand clients: TURN over UDP on the listening address.</summary>
    public string Url => $"turn:{Address}:{Port}?transport=udp";

    /// <param name="address">where it listens and relays from; loopback by default.</param>
    public static async Task<Coturn> StartAsync(TimeSpan? timeout = null, IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException(
                "coturn is not installed (scripts/install-prereqs.sh installs it)",
                Executable
            );
        }

        int port = FreeUdpPort(address);
        // Relay ports from a window of their own, so two servers (or a Munit's port 0) rarely meet.
        int relayBase = 50000 + Random.Shared.Next(0, 90) * 100;
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        // A pid file and user database of its own: servers started side by side never share (or lock) one.
        string home = Directory.CreateTempSubdirectory("mobz-coturn-").FullName;
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var arg in new[]
            {
                "-n",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--log-file=stdout",
                $"--listening-ip={address}",
                $"--relay-ip={address}",
                $"--listening-port={port}",
                $"--min-port={relayBase}",
                $"--max-port={relayBase + 99}",
                "--use-auth-secret",
                $"--static-auth-secret={secret}",
                "--realm=mobz.test",
                // The Munits under test listen on loopback; production TURN servers never relay there.
                "--allow-loopback-peers",
                $"--pidfile={Path.Combine(home, "turnserver.pid")}",
                $"--userdb={Path.Combine(home, "turndb")}",
            }
        )
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is null)
                return;
            log.Enqueue(line);
            while (log.Count > 40)
                log.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var coturn = new Coturn(process, address, port, secret, home);
        try
        {
            await Eventually.WaitUntilAsync(
                () => coturn.AnswersBindingAsync(),
                timeout ?? TimeSpan.FromSeconds(60),
                $"coturn on {address}:{port} answers a STUN Binding request"
            );
        }
        catch (Exception e)
        {
            await coturn.DisposeAsync();
            throw new InvalidOperationException($"{e.Message}; turnserver said:\n{string.Join('\n', log)}", e);
        }
        return coturn;
    }

    /// <summary>RFC 8489 Binding request, answered by a Binding success response with the same transaction
    /// id.</summary>
    private async Task<bool> AnswersBindingAsync()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"turnserver exited with {_process.ExitCode}");
        using var udp = new UdpClient(new IPEndPoint(Address, 0));
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, 0x0001);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), 0x2112A442);
        RandomNumberGenerator.Fill(request.AsSpan(8, 12));
        await udp.SendAsync(request, new IPEndPoint(Address, Port));
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            var answer = await udp.ReceiveAsync(wait.Token);
            return answer.Buffer.Length >= 20
                && BinaryPrimitives.ReadUInt16BigEndian(answer.Buffer) == 0x0101
                && answer.Buffer.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12));
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreeUdpPort(IPAddress address)
    {
        using var probe = new UdpClient(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
