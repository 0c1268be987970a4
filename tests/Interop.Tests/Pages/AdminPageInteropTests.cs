using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MobZ.Interop.Tests.Rooms;
using MobZ.TestKit;

namespace MobZ.Interop.Tests.Pages;

/// <summary>
/// The admin page (wwwroot/admin) in Chromium, driven as an operator drives it: the key, the rooms with their
/// members, the Munits and their buttons; what the buttons did is checked through the admin API and the
/// room socket, not through the page.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class AdminPageInteropTests(StackFixture stack) : IAsyncLifetime
{
    private const string DevKey = "dev-api-key";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly LocatorWaitForOptions Visible = new() { Timeout = (float)Timeout.TotalMilliseconds };

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task Operator_sees_a_joined_room_and_the_Munit_and_drains_and_revives_it_with_the_buttons()
    {
        string room = "admin-page-" + Guid.NewGuid().ToString("N")[..8];
        string user = "ada-" + Guid.NewGuid().ToString("N")[..6];
        await using var member = await RoomSocket.ConnectAsync(stack.Stack.RoomsUrl(userId: user));
        await member.SendAsync(
            new
            {
                action = "Join",
                roomId = room,
                roomKind = "m2m",
                role = "publisher",
                userId = user,
            }
        );
        string stationId = (await member.ReceiveAsync("JoinAck", Timeout))["stationId"]!.GetValue<string>();
        string munitId = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;

        var page = await OpenAsync();
        // The stack runs in development mode, so the page was told the development key and filled it in.
        Assert.Equal(DevKey, await page.Locator("#api-key").InputValueAsync());
        await ConnectAsync(page, DevKey);

        var roomCard = page.Locator($"article[data-room=\"{room}\"]");
        await roomCard.WaitForAsync(Visible);
        var row = roomCard.Locator("tbody tr").Filter(new() { HasText = user });
        await row.WaitForAsync(Visible);
        string rowText = await row.InnerTextAsync();
        Assert.Contains("publisher", rowText);
        Assert.Contains("owner", rowText);
        Assert.Contains(stationId, rowText);
        Assert.Contains(munitId, rowText);

        var munitRow = page.Locator($"tr[data-munit=\"{munitId}\"]");
        await munitRow.WaitForAsync(Visible);
        using var http = AdminClient(DevKey);
        try
        {
            Assert.False(await DrainingAsync(http, munitId), "the shared stack's Munit takes stations before the test");
            await munitRow.GetByRole(AriaRole.Button, new() { Name = "Drain", Exact = true }).ClickAsync();
            await Eventually.WaitUntilAsync(
                () => DrainingAsync(http, munitId),
                Timeout,
                $"the admin API lists {munitId} as draining"
            );
            await Eventually.WaitUntilAsync(
                async () => (await munitRow.InnerTextAsync()).Contains("draining", StringComparison.Ordinal),
                Timeout,
                "the page shows the Munit draining"
            );

            await munitRow.GetByRole(AriaRole.Button, new() { Name = "Revive", Exact = true }).ClickAsync();
            await Eventually.WaitUntilAsync(
                async () => !await DrainingAsync(http, munitId),
                Timeout,
                $"the admin API lists {munitId} as taking stations again"
            );

            // A drain with a deadline: the page asks for the seconds; the Regulator holds the deadline (far enough
            // out that ada's station stays; the Revive after it cancels it).
            var regulator = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>();
            string? asked = null;
            page.Dialog += async (_, dialog) =>
            {
                asked = dialog.Message;
                await dialog.AcceptAsync("600");
            };
            var before = DateTimeOffset.UtcNow;
            await munitRow
                .GetByRole(AriaRole.Button, new() { Name = "Drain with deadline…", Exact = true })
                .ClickAsync();
            await Eventually.WaitUntilAsync(
                () => regulator.DrainDeadline is not null,
                Timeout,
                "the Regulator took the drain with its deadline"
            );
            Assert.Contains("seconds", asked);
            Assert.InRange(
                regulator.DrainDeadline!.Value,
                before.AddSeconds(600),
                DateTimeOffset.UtcNow.AddSeconds(600)
            );
            await munitRow.GetByRole(AriaRole.Button, new() { Name = "Revive", Exact = true }).ClickAsync();
            await Eventually.WaitUntilAsync(
                async () => !await DrainingAsync(http, munitId) && regulator.DrainDeadline is null,
                Timeout,
                $"{munitId} revived, its deadline cancelled"
            );
        }
        finally
        {
            // The stack is shared by every interop class: never leave its only Munit refusing stations.
            if (await DrainingAsync(http, munitId))
            {
                (
                    await http.PostAsync($"api/admin/munits/{Uri.EscapeDataString(munitId)}/revive", null)
                ).EnsureSuccessStatusCode();
                await Eventually.WaitUntilAsync(
                    async () => !await DrainingAsync(http, munitId),
                    Timeout,
                    $"{munitId} revived"
                );
            }
        }
    }

    [Fact]
    public async Task Kick_button_asks_first_then_the_member_is_told_and_removed()
    {
        string room = "admin-kick-" + Guid.NewGuid().ToString("N")[..8];
        await using var owner = await RoomSocket.ConnectAsync(stack.Stack.RoomsUrl(userId: "owner-1"));
        await owner.SendAsync(
            new
            {
                action = "Join",
                roomId = room,
                roomKind = "m2m",
                role = "viewer",
                userId = "owner-1",
            }
        );
        await owner.ReceiveAsync("JoinAck", Timeout);
        await using var guest = await RoomSocket.ConnectAsync(stack.Stack.RoomsUrl(userId: "guest-1"));
        await guest.SendAsync(
            new
            {
                action = "Join",
                roomId = room,
                roomKind = "m2m",
                role = "viewer",
                userId = "guest-1",
            }
        );
        await guest.ReceiveAsync("JoinAck", Timeout);

        var page = await OpenAsync();
        await ConnectAsync(page, DevKey);
        var guestRow = page.Locator($"article[data-room=\"{room}\"] tbody tr").Filter(new() { HasText = "guest-1" });
        await guestRow.WaitForAsync(Visible);

        var asked = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (asked)
                asked.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        await guestRow.GetByRole(AriaRole.Button, new() { Name = "Kick" }).ClickAsync();

        var kicked = await guest.ReceiveAsync("Kicked", Timeout);
        Assert.Equal("admin", kicked["by"]!.GetValue<string>());
        lock (asked)
        {
            Assert.Contains(asked, m =>
                m.Contains("guest-1", StringComparison.Ordinal) && m.Contains(room, StringComparison.Ordinal)
            );
        }

        using var http = AdminClient(DevKey);
        await Eventually.WaitUntilAsync(
            async () => !(await MembersAsync(http, room)).Contains("guest-1"),
            Timeout,
            "the admin API no longer lists guest-1"
        );
        Assert.Contains("owner-1", await MembersAsync(http, room));
        await Eventually.WaitUntilAsync(
            async () => await guestRow.CountAsync() == 0,
            Timeout,
            "the page dropped guest-1's row"
        );
    }

    [Fact]
    public async Task A_wrong_key_shows_the_401_and_no_data()
    {
        var page = await OpenAsync();
        await ConnectAsync(page, "not-the-key");

        var error = page.Locator("#error");
        await error.WaitForAsync(Visible);
        string message = await error.InnerTextAsync();
        Assert.Contains("401", message);
        Assert.Contains("x-api-key", message);
        Assert.True(await page.Locator("#panels").IsHiddenAsync(), "no rooms or Munits are shown without a valid key");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('mobz-admin-key')"));
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await stack.Browser.NewPageAsync();
        await page.GotoAsync(stack.Page("/admin/index.html").ToString());
        // The page asks the server for the key header (and the development key) before the form is ready.
        await Eventually.WaitUntilAsync(
            async () => (await page.Locator("#key-note").InnerTextAsync()).Length > 0,
            Timeout,
            "the admin page finished starting"
        );
        return page;
    }

    private static async Task ConnectAsync(IPage page, string key)
    {
        await page.Locator("#api-key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect" }).ClickAsync();
    }

    private HttpClient AdminClient(string key)
    {
        var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = Timeout };
        http.DefaultRequestHeaders.Add("x-api-key", key);
        return http;
    }

    private static async Task<bool> DrainingAsync(HttpClient http, string munitId)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/admin/munits"));
        return doc
            .RootElement.GetProperty("munits")
            .EnumerateArray()
            .Single(m => m.GetProperty("munitId").GetString() == munitId)
            .GetProperty("draining")
            .GetBoolean();
    }

    private static async Task<IReadOnlyList<string>> MembersAsync(HttpClient http, string room)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/admin/rooms"));
        return doc
            .RootElement.GetProperty("rooms")
            .EnumerateArray()
            .Where(r => r.GetProperty("roomId").GetString() == room)
            .SelectMany(r => r.GetProperty("members").EnumerateArray())
            .Select(m => m.GetProperty("userId").GetString()!)
            .ToList();
    }
}
