using Runtype.Domain.Common;

namespace Runtype.Api.Http;

/// <summary>
/// <c>{id:uuid}</c>: a route value names a resource only in the 8-4-4-4-12 hex form (<see cref="Uuid"/>). The
/// framework's <c>guid</c> constraint takes braces, parentheses, no dashes and surrounding spaces too, so
/// <c>/sessions/{…}</c> and <c>/sessions/%20…</c> named the session; with this one they match no route and are 404.
/// The action parameter stays a <see cref="Guid"/> (and the OpenAPI document says <c>string</c>, <c>uuid</c>).
/// </summary>
public sealed class UuidRouteConstraint : IRouteConstraint
{
    public const string Name = "uuid";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value switch
        {
            Guid => true,
            string text => Uuid.IsValid(text),
            _ => false,
        };
}
