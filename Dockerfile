# syntax=docker/dockerfile:1
# The API image: built on the .NET SDK image, run on the ASP.NET Core runtime image as its non-root "app" user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone, so a change of code does not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Runtype.Domain/Runtype.Domain.csproj src/Runtype.Domain/
COPY src/Runtype.Application/Runtype.Application.csproj src/Runtype.Application/
COPY src/Runtype.Infrastructure/Runtype.Infrastructure.csproj src/Runtype.Infrastructure/
COPY src/Runtype.Api/Runtype.Api.csproj src/Runtype.Api/
RUN dotnet restore src/Runtype.Api/Runtype.Api.csproj
COPY src/ src/
RUN dotnet publish src/Runtype.Api/Runtype.Api.csproj --configuration Release --no-restore --output /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# The embedded SQLite default (Data Source=data/runtype.db) needs a folder the app user may write;
# docker-compose.yml runs on SQL Server instead.
RUN mkdir data && chown "$APP_UID" data
# Listen on every interface (appsettings.json says localhost:5080, for development); URLS wins over it.
# The image's own ASPNETCORE_HTTP_PORTS is cleared so Kestrel does not warn that URLS overrides it.
ENV URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS=
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Runtype.Api.dll"]
