using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Ice;

/// <summary>
/// aioice (the ICE stack inside aiortc, an independent implementation) runs full, controlling ICE against our
/// ICE-lite agent on a real UDP socket on loopback: its checks must pass, it must nominate, and its data must
/// arrive from the address the registry mapped.
/// </summary>
[Trait("Category", "Interop")]
public class AioiceInteropTests(ITestOutputHelper output)
{
    private const string Script = """
        import asyncio, sys, aioice
        async def main(port, ufrag, pwd):
            conn = aioice.Connection(ice_controlling=True, components=1, use_ipv6=False)
            conn.remote_is_lite = True
            await conn.gather_candidates()
            conn.remote_username = ufrag
            conn.remote_password = pwd
            await conn.add_remote_candidate(aioice.Candidate.from_sdp(f"1 1 udp 2130706431 127.0.0.1 {port} typ host"))
            await conn.add_remote_candidate(None)
            await asyncio.wait_for(conn.connect(), 20)
            await conn.send(b"hello-from-aioice")
            print("CONNECTED", flush=True)
            await asyncio.sleep(1)
            await conn.close()
        asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
        """;

    [Fact]
    public async Task Aioice_connects_to_our_ice_lite_agent_and_its_data_maps_to_the_agent()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var registry = new IceLiteRegistry();
        var agent = new IceLiteAgent();
        Assert.True(registry.TryRegister(agent));
        var nominated = new TaskCompletionSource<TransportAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var data = new TaskCompletionSource<(TransportAddress From, string Text, IceLiteAgent? Owner)>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(45));

        Task loop = Task.Run(async () =>
        {
            byte[] buffer = new byte[2048];
            byte[] response = new byte[512];
            while (!stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(
                        buffer,
                        SocketFlags.None,
                        new IPEndPoint(IPAddress.Any, 0),
                        stop.Token
                    );
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var from = TransportAddress.FromIPEndPoint((IPEndPoint)received.RemoteEndPoint);
                ReadOnlyMemory<byte> datagram = buffer.AsMemory(0, received.ReceivedBytes);
                if (DatagramClassifier.Classify(datagram.Span) == DatagramKind.Stun)
                {
                    IceCheckResult result = registry.HandleStun(datagram.Span, from, response, out _);
                    if (result.HasResponse)
                    {
                        await socket.SendToAsync(
                            response.AsMemory(0, result.ResponseLength),
                            SocketFlags.None,
                            received.RemoteEndPoint
                        );
                    }

                    if (result.Nominated)
                    {
                        nominated.TrySetResult(from);
                    }
                }
                else
                {
                    registry.TryGetByAddress(from, out IceLiteAgent? owner);
                    data.TrySetResult((from, System.Text.Encoding.ASCII.GetString(datagram.Span), owner));
                }
            }
        });

        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            string arg in new[]
            {
                "-c",
                Script,
                port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                agent.LocalCredentials.Ufrag,
                agent.LocalCredentials.Password,
            }
        )
        {
            start.ArgumentList.Add(arg);
        }

        using Process python = Process.Start(start)!;
        Task<string> stdout = python.StandardOutput.ReadToEndAsync();
        Task<string> stderr = python.StandardError.ReadToEndAsync();
        try
        {
            TransportAddress nominatedAddress = await nominated.Task.WaitAsync(TimeSpan.FromSeconds(30));
            (TransportAddress from, string text, IceLiteAgent? owner) = await data.Task.WaitAsync(
                TimeSpan.FromSeconds(30)
            );

            Assert.Equal("hello-from-aioice", text);
            Assert.Same(agent, owner);
            Assert.Equal(nominatedAddress, from);
            Assert.Equal(IceConnectionState.Completed, agent.State);
            Assert.True(agent.TryGetSelectedAddress(out TransportAddress selected));
            Assert.Equal(from, selected);
            await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("CONNECTED", await stdout);
            Assert.Equal(0, python.ExitCode);
        }
        finally
        {
            if (!python.HasExited)
            {
                python.Kill(entireProcessTree: true);
            }

            output.WriteLine(await stderr);
            stop.Cancel();
            await loop;
        }
    }
}
