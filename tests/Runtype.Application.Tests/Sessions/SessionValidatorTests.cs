using System.Text.Json;
using FluentValidation;
using Runtype.Application.Sessions.AppendSessionEvent;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Application.Sessions.UpdateSession;
using Runtype.Domain.Common;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.Sessions;

/// <summary>The validators of the session use cases: valid input passes, invalid input names the field as the API does.</summary>
public sealed class SessionValidatorTests
{
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly string Hash = new('a', 64);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("2024-06", "v3")]
    [InlineData(64, 64)]
    public void CreateSession_accepts_versions_up_to_64_characters(object? catalogVersion, object? schemaVersion)
    {
        var command = new CreateSession(Owner, Text(catalogVersion), Text(schemaVersion), Json("""{"goal":"x"}"""));

        AssertValid(new CreateSessionValidator(), command);
    }

    [Theory]
    [InlineData(65, null, "catalogVersion")]
    [InlineData(null, 65, "schemaVersion")]
    [InlineData(100, 100, "catalogVersion,schemaVersion")]
    public void CreateSession_refuses_longer_versions(object? catalogVersion, object? schemaVersion, string fields)
    {
        var command = new CreateSession(Owner, Text(catalogVersion), Text(schemaVersion), null);

        AssertInvalid(new CreateSessionValidator(), command, fields);
    }

    [Theory]
    [InlineData(null, 20, 0)]
    [InlineData("intake", 1, 0)]
    [InlineData("planning", 100, 0)]
    [InlineData("generating", 50, 1_000_000)]
    [InlineData("assembling", 20, 0)]
    [InlineData("completed", 20, 0)]
    [InlineData("failed", 20, 0)]
    [InlineData("cancelled", 20, 0)]
    [InlineData("expired", 20, 0)]
    public void ListSessions_accepts_a_known_status_a_limit_of_1_to_100_and_an_offset_of_0_or_more(string? status, int limit, int offset)
    {
        AssertValid(new ListSessionsValidator(), new ListSessions(Owner, status, limit, offset));
    }

    [Fact]
    public void ListSessions_defaults_are_valid()
    {
        var query = new ListSessions(Owner, null);

        Assert.Equal(20, query.Limit);
        Assert.Equal(0, query.Offset);
        AssertValid(new ListSessionsValidator(), query);
    }

    [Theory]
    [InlineData("Completed", 20, 0, "status")]
    [InlineData("done", 20, 0, "status")]
    [InlineData("", 20, 0, "status")]
    [InlineData(null, 0, 0, "limit")]
    [InlineData(null, 101, 0, "limit")]
    [InlineData(null, -5, 0, "limit")]
    [InlineData(null, 20, -1, "offset")]
    [InlineData("bogus", 0, -1, "status,limit,offset")]
    public void ListSessions_refuses_bad_filters_naming_the_field(string? status, int limit, int offset, string fields)
    {
        AssertInvalid(new ListSessionsValidator(), new ListSessions(Owner, status, limit, offset), fields);
    }

    [Fact]
    public void UpdateSession_needs_at_least_one_field()
    {
        AssertInvalid(new UpdateSessionValidator(), new UpdateSession(Owner, Id), "body");
        AssertInvalid(new UpdateSessionValidator(), new UpdateSession(Owner, Id, IfMatch: [1]), "body");
    }

    public static TheoryData<UpdateSession> ValidUpdates() => new()
    {
        new UpdateSession(Owner, Id, Status: "planning"),
        new UpdateSession(Owner, Id, Status: "expired"),
        new UpdateSession(Owner, Id, Prd: Json("""{"a":1}""")),
        new UpdateSession(Owner, Id, Plan: Optional<JsonElement?>.Of(null)),
        new UpdateSession(Owner, Id, ProductObject: Json("{}")),
        new UpdateSession(Owner, Id, ProductObjectHash: Hash),
        new UpdateSession(Owner, Id, ProductObjectHash: Hash.ToUpperInvariant()),
        new UpdateSession(Owner, Id, ProductObjectHash: "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789"),
        new UpdateSession(Owner, Id, ProductObjectHash: Optional<string?>.Of(null)),
        new UpdateSession(Owner, Id, AssemblyState: Optional<JsonElement?>.Of(null)),
        new UpdateSession(Owner, Id, AssemblyState: Json("{}")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"stage":"x"}""")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":0}""")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":100}""")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":42.5}""")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":1e2}""")),
        new UpdateSession(Owner, Id, AssemblyState: Json("""{"nested":{"progress":500}}""")),
    };

    [Theory]
    [MemberData(nameof(ValidUpdates))]
    public void UpdateSession_accepts_valid_fields(UpdateSession command)
    {
        AssertValid(new UpdateSessionValidator(), command);
    }

    public static TheoryData<UpdateSession, string> InvalidUpdates() => new()
    {
        { new UpdateSession(Owner, Id, Status: "Planning"), "status" },
        { new UpdateSession(Owner, Id, Status: "archived"), "status" },
        { new UpdateSession(Owner, Id, Status: ""), "status" },
        { new UpdateSession(Owner, Id, Status: Optional<string?>.Of(null)), "status" },
        { new UpdateSession(Owner, Id, ProductObjectHash: new string('a', 63)), "productObjectHash" },
        { new UpdateSession(Owner, Id, ProductObjectHash: new string('a', 65)), "productObjectHash" },
        { new UpdateSession(Owner, Id, ProductObjectHash: new string('g', 64)), "productObjectHash" },
        { new UpdateSession(Owner, Id, ProductObjectHash: ""), "productObjectHash" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":-1}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":-0.001}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":100.5}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":1e400}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":"50"}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":null}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":true}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, AssemblyState: Json("""{"progress":[50]}""")), "assemblyState.progress" },
        { new UpdateSession(Owner, Id, Status: "nope", ProductObjectHash: "xyz", AssemblyState: Json("""{"progress":101}""")), "status,productObjectHash,assemblyState.progress" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public void UpdateSession_refuses_invalid_fields_naming_them(UpdateSession command, string fields)
    {
        AssertInvalid(new UpdateSessionValidator(), command, fields);
    }

    [Theory]
    [InlineData("note", null, null)]
    [InlineData("x", "", "")]
    [InlineData(" ", null, null)]
    [InlineData(100, 100, 4000)]
    public void AppendSessionEvent_accepts_fields_within_their_limits(object type, object? stage, object? message)
    {
        AssertValid(new AppendSessionEventValidator(), new AppendSessionEvent(Owner, Id, Text(type), Text(stage), Text(message), null));
    }

    [Theory]
    [InlineData(null, null, null, "type")]
    [InlineData("", null, null, "type")]
    [InlineData("line\nbreak", null, null, "type")]
    [InlineData("note", "tab\there", null, "stage")]
    [InlineData(101, null, null, "type")]
    [InlineData("note", 101, null, "stage")]
    [InlineData("note", null, 4001, "message")]
    [InlineData(null, 101, 4001, "type,stage,message")]
    public void AppendSessionEvent_refuses_a_missing_type_and_fields_over_their_limits(object? type, object? stage, object? message, string fields)
    {
        AssertInvalid(new AppendSessionEventValidator(), new AppendSessionEvent(Owner, Id, Text(type), Text(stage), Text(message), null), fields);
    }

    /// <summary>A string as given, or a string of that many characters for a number.</summary>
    private static string? Text(object? value) => value switch
    {
        int length => new string('x', length),
        _ => (string?)value,
    };

    private static void AssertValid<T>(IValidator<T> validator, T instance)
    {
        var result = validator.Validate(instance);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
    }

    private static void AssertInvalid<T>(IValidator<T> validator, T instance, string fields)
    {
        var result = validator.Validate(instance);

        Assert.False(result.IsValid);
        Assert.Equal(fields.Split(',').Order(StringComparer.Ordinal), result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ErrorMessage)));
    }
}
