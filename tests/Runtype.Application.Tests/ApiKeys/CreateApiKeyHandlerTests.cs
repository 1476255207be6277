using NSubstitute;
using Runtype.Application.ApiKeys;
using Runtype.Application.ApiKeys.CreateApiKey;
using Runtype.Domain.ApiKeys;
using static Runtype.Application.Tests.TestData;

namespace Runtype.Application.Tests.ApiKeys;

public sealed class CreateApiKeyHandlerTests
{
    private readonly IApiKeyRepository _keys = Substitute.For<IApiKeyRepository>();
    private ApiKey? _added;

    public CreateApiKeyHandlerTests()
    {
        _keys.Add(Arg.Do<ApiKey>(k => _added = k));
    }

    [Fact]
    public async Task Adds_the_key_saves_once_and_returns_its_only_plain_text_copy()
    {
        var created = await new CreateApiKeyHandler(_keys, Clock()).Handle(
            new CreateApiKey("user_1", "org_1", "CI", [ApiKeyScopes.SessionsRead]), Ct);

        Assert.NotNull(_added);
        Received.InOrder(() =>
        {
            _keys.Add(_added);
            _keys.SaveChangesAsync(Ct);
        });
        _ = _keys.Received(1).SaveChangesAsync(Arg.Any<CancellationToken>());
        Assert.True(_added.Matches(created.PlainText));
        Assert.StartsWith($"rt_{_added.Id}_", created.PlainText, StringComparison.Ordinal);
        Assert.Equal(_added.Id, created.Key.Id);
        Assert.Equal("user_1", created.Key.UserId);
        Assert.Equal("org_1", created.Key.OrganizationId);
        Assert.Equal("CI", created.Key.Name);
        Assert.Equal(["sessions:read"], created.Key.Scopes);
        Assert.Equal(Ms(Now), created.Key.CreatedAt);
        Assert.Null(created.Key.LastUsedAt);
        Assert.Null(created.Key.RevokedAt);
    }

    [Fact]
    public async Task A_key_with_unknown_scopes_is_neither_added_nor_saved()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await new CreateApiKeyHandler(_keys, Clock()).Handle(new CreateApiKey("user_1", null, null, ["sessions:admin"]), Ct));

        _keys.DidNotReceive().Add(Arg.Any<ApiKey>());
        _ = _keys.DidNotReceive().SaveChangesAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_empty_organization_is_stored_as_none_not_as_an_empty_string()
    {
        var created = await new CreateApiKeyHandler(_keys, Clock()).Handle(new CreateApiKey("user_1", string.Empty, null, ApiKeyScopes.All), Ct);

        Assert.Null(_added!.OrganizationId);
        Assert.Null(created.Key.OrganizationId);
    }
}
