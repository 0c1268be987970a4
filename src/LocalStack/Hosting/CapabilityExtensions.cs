using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Hosting;

/// <summary>A link on the demo index page.</summary>
public sealed record DemoPage(string Title, string Href, string? Description = null);

/// <summary>Endpoints a capability maps once the app is built (HLS files, REST routes...).</summary>
public sealed record EndpointMapping(Action<IEndpointRouteBuilder> Map);

/// <summary>
/// What a capability's one line in Program.cs calls. Everything is a DI registration, so a capability project
/// can equally register the records itself (<see cref="WebSocketApiRegistration"/>, <see cref="HttpApiRegistration"/>,
/// <see cref="DemoPage"/>, <see cref="EndpointMapping"/>, hosted services) from its own extension method.
/// </summary>
public static class CapabilityExtensions
{
    public static WebApplicationBuilder AddWebSocketApi(
        this WebApplicationBuilder builder,
        string path,
        string routeSelectionExpression,
        Func<IServiceProvider, IWebSocketHandler> createHandler,
        Func<WebSocketApiRegistration, WebSocketApiRegistration>? configure = null
    )
    {
        var registration = new WebSocketApiRegistration(path, routeSelectionExpression, createHandler);
        builder.Services.AddSingleton(configure is null ? registration : configure(registration));
        return builder;
    }

    public static WebApplicationBuilder AddHttpApi(
        this WebApplicationBuilder builder,
        string pathPrefix,
        Func<IServiceProvider, IHttpHandler> createHandler
    )
    {
        builder.Services.AddSingleton(new HttpApiRegistration(pathPrefix, createHandler));
        return builder;
    }

    public static WebApplicationBuilder AddDemoPage(
        this WebApplicationBuilder builder,
        string title,
        string href,
        string? description = null
    )
    {
        builder.Services.AddSingleton(new DemoPage(title, href, description));
        return builder;
    }

    public static WebApplicationBuilder MapEndpoints(
        this WebApplicationBuilder builder,
        Action<IEndpointRouteBuilder> map
    )
    {
        builder.Services.AddSingleton(new EndpointMapping(map));
        return builder;
    }

    /// <summary>One-line form: services and endpoints of a capability together.</summary>
    public static WebApplicationBuilder AddCapability(
        this WebApplicationBuilder builder,
        Action<IServiceCollection>? services = null,
        Action<IEndpointRouteBuilder>? endpoints = null
    )
    {
        services?.Invoke(builder.Services);
        if (endpoints is not null)
            builder.MapEndpoints(endpoints);
        return builder;
    }
}
