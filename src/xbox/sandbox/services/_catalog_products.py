"""Store products as displaycatalog.mp.microsoft.com describes them, key for key.

Three kinds, each built in the key layout of the recording that shows it: a game
(``catalog_browse_details.json``, ``ProductGame;1``), a modern app (Netflix,
``catalog_product_lookup.json``, ``ProductUnifiedApp;3``) and a 2014-era app (the TV app,
``catalog_product_lookup_legacy.json``, ``Product;3``/``ProductUnifiedApp;3`` with the old
layout). ``browse`` is the short template of ``catalog_browse.json``. Values come from the
world's title facts; every id and hash is derived from the product id, so products are
the same for every seed.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..world_services import StoreApp, TitleFacts, big_id

__all__ = ["LEGACY_TV", "StoreProduct", "browse_json", "details_json", "search_json"]


@dataclass(frozen=True)
class StoreProduct:
    """One store entry: a world title (``facts``) or an app (``app``)."""

    product_id: str
    title: str
    family: str  # Games | Apps
    kind: str  # game | app | legacy
    publisher: str
    developer: str
    released: datetime
    min_age: int
    category: str
    pfn: str | None
    alternate_ids: tuple[tuple[str, str], ...]  # (IdType, Value)
    size: int
    devices: tuple[str, ...]
    gold_required: bool = False
    multiplayer: tuple[int, int] | None = None

    @staticmethod
    def of_title(facts: TitleFacts) -> StoreProduct:
        return StoreProduct(
            product_id=facts.product_id, title=facts.title.name, family="Games", kind="game",
            publisher=facts.publisher, developer=facts.developer, released=facts.released,
            min_age=facts.min_age, category=facts.genres[0], pfn=facts.pfn,
            alternate_ids=(("LegacyXboxProductId", facts.legacy_product_id),
                           ("XboxTitleId", str(facts.title.title_id)),
                           ("LegacyWindowsStoreProductId", _guid(facts.product_id, "wsp"))),
            size=facts.size, devices=facts.devices, gold_required=facts.gold_required,
            multiplayer=facts.multiplayer)

    @staticmethod
    def of_app(app: StoreApp, released: datetime) -> StoreProduct:
        return StoreProduct(
            product_id=app.product_id, title=app.name, family="Apps", kind="app",
            publisher=f"{app.name}, Inc.", developer="", released=released, min_age=12,
            category="Entertainment", pfn=app.pfn,
            # As recorded for Netflix, the app's Xbox title id is among its ids.
            alternate_ids=(("LegacyWindowsStoreProductId", _guid(app.product_id, "wsp")),
                           ("XboxTitleId", str(app.title_id))),
            size=app.size, devices=("XboxOne", "PC"))


# The TV app as the legacy look-up recording shows it (its public legacy id).
LEGACY_TV = StoreProduct(
    product_id="9VWGNH0VBZJX", title="TV", family="Apps", kind="legacy", publisher="Microsoft",
    developer="", released=datetime(2013, 9, 24), min_age=3, category="Video",
    pfn="Microsoft.Xbox.LiveTV_8wekyb3d8bbwe",
    alternate_ids=(("LegacyXboxProductId", "71e7df12-89e0-4dc7-a5ff-a182fc2df94f"),),
    size=0, devices=("XboxOne",))

_RATINGS = {3: "E", 7: "E", 12: "T", 16: "M", 18: "M"}
_IMAGES = [("BrandedKeyArt", 584, 800), ("TitledHeroArt", 1920, 1080), ("BoxArt", 1080, 1080),
           ("FeaturePromotionalSquareArt", 1080, 1080), ("Poster", 720, 1080),
           ("SuperHeroArt", 3840, 2160), ("Screenshot", 1920, 1080), ("Logo", 300, 300),
           ("Screenshot", 1920, 1080)]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def _guid(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def _number(*parts: object, digits: int = 7) -> int:
    value: int = int.from_bytes(_digest(*parts)[:8], "big") % 10**digits
    return value


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _image_uri(p: StoreProduct, n: int) -> str:
    return (f"//store-images.s-microsoft.com/image/apps.{_number(p.product_id, n, digits=5)}."
            f"{_number(p.product_id, 'group', digits=17)}.{_guid(p.product_id, 'a')}."
            f"{_guid(p.product_id, n)}")


def _image(p: StoreProduct, n: int, purpose: str, width: int, height: int,
           *, preview: bool = False) -> dict[str, Any]:
    return {
        "FileId": str(2 * 10**18 + _number(p.product_id, "file", n, digits=11)),
        "EISListingIdentifier": None,
        "BackgroundColor": None if preview else "",
        "Caption": f"Trailer - {p.title}" if preview else "",
        "FileSizeInBytes": 1000 + _number(p.product_id, "size", n, digits=6),
        "ForegroundColor": None if preview else "",
        "Height": height,
        "ImagePositionInfo": None if preview else "",
        "ImagePurpose": purpose,
        "UnscaledImageSHA256Hash": base64.b64encode(_digest(p.product_id, "hash", n)).decode(),
        "Uri": _image_uri(p, n),
        "Width": width,
    }


def _images(p: StoreProduct) -> list[dict[str, Any]]:
    return [_image(p, n, purpose, w, h) for n, (purpose, w, h) in enumerate(_IMAGES)]


def _usage(p: StoreProduct) -> list[dict[str, Any]]:
    rating = 3.0 + _number(p.product_id, "rating", digits=2) / 50
    return [{"AggregateTimeSpan": span, "AverageRating": round(rating, 1), "PlayCount": 0,
             "RatingCount": (n + 1) * (50 + _number(p.product_id, "count", digits=3)),
             "RentalCount": "0", "TrialCount": "0", "PurchaseCount": "0"}
            for n, span in enumerate(("7Days", "30Days", "AllTime"))]


def _price(p: StoreProduct) -> dict[str, Any]:
    # Rounded: a price on the wire has two decimals (19.99 + 40 is 59.989999999999995).
    step = _number(p.product_id, "price") % 5
    price = 0.0 if p.family == "Apps" else round(19.99 + 10 * step, 2)
    return {"CurrencyCode": "USD", "IsPIRequired": False, "ListPrice": price, "MSRP": price,
            "TaxType": "TaxesNotIncluded", "WholesaleCurrencyCode": ""}


def _platform(p: StoreProduct) -> str:
    return "Windows.Xbox" if p.family == "Games" else "Windows.Desktop"


def browse_json(p: StoreProduct, language: str, market: str) -> dict[str, Any]:
    """The ``fieldsTemplate=browse`` product (catalog_browse.json)."""
    return {
        "LocalizedProperties": [{"Images": _images(p), "ProductTitle": p.title}],
        "MarketProperties": [{
            "OriginalReleaseDate": _time(p.released),
            "UsageData": [{k: u[k] for k in ("AggregateTimeSpan", "AverageRating", "RatingCount")}
                          for u in _usage(p)],
        }],
        "ProductBSchema": "ProductGame;1" if p.kind == "game" else "ProductUnifiedApp;3",
        "ProductId": p.product_id,
        "PartD": "",
        "ProductFamily": p.family,
        "ProductKind": "Game" if p.kind == "game" else "Application",
        "DisplaySkuAvailabilities": [{"Availabilities": [{
            "Actions": ["Details", "Browse", "Curate", "Fulfill", "Redeem"],
            "OrderManagementData": {"Price": _price(p)},
        }]}],
    }


def details_json(p: StoreProduct, language: str, market: str) -> dict[str, Any]:
    """The ``fieldsTemplate=details`` product, in the layout of its kind."""
    if p.kind == "legacy":
        return _legacy_json(p, language, market)
    game = p.kind == "game"
    modified = _time(p.released.replace(year=max(p.released.year, 2020)))
    localized: dict[str, Any] = {"DeveloperName": p.developer}
    if not game:
        localized["DisplayPlatformProperties"] = None
    localized.update({
        "PublisherName": p.publisher,
        "PublisherWebsiteUri": "" if game else "http://www.example.com/",
        "SupportUri": "",
        "EligibilityProperties": {"Remediations": [], "Affirmations": []} if game else None,
        "Franchises": [],
        "Images": _images(p),
        "Videos": [{
            "Uri": f"http://universalstore.streaming.mediaservices.windows.net/"
                   f"{_guid(p.product_id, 'video')}/trailer.ism/manifest",
            "VideoPurpose": "trailer", "Height": 1080, "Width": 1920, "AudioEncoding": "",
            "VideoEncoding": "avc1", "VideoPositionInfo": "Video/0",
            "Caption": f"Trailer - {p.title}",
            "FileSizeInBytes": 10**8 + _number(p.product_id, "video", digits=8),
            "PreviewImage": _image(p, 99, "trailer", 1920, 1080, preview=True),
            "SortOrder": 1,
        }] if game else [],
        "ProductDescription": f"{p.title}, from {p.publisher}.",
        "ProductTitle": p.title,
        "ShortTitle": p.title if game else "",
        "SortTitle": p.title.upper() if game else "",
        "FriendlyTitle": None,
        "ShortDescription": f"Play {p.title}." if game else "",
        "SearchTitles": [{"SearchTitleString": p.title.lower(), "SearchTitleType": "SearchHint"}],
        "VoiceTitle": p.title if game else "",
        "RenderGroupDetails": None,
        "ProductDisplayRanks": [],
        "InteractiveModelConfig": None,
        "Interactive3DEnabled": False,
        "Language": language,
        "Markets": [market],
    })
    market_props: dict[str, Any] = {"OriginalReleaseDate": _time(p.released)}
    if not game:
        market_props["OriginalReleaseDateFriendlyName"] = ""
    rating = _RATINGS.get(p.min_age, "T")
    market_props.update({
        "MinimumUserAge": p.min_age,
        "ContentRatings": [{"RatingSystem": "ESRB", "RatingId": f"ESRB:{rating}",
                            "RatingDescriptors": [], "RatingDisclaimers": [],
                            "InteractiveElements": []}],
        "RelatedProducts": [{"RelatedProductId": big_id("related", p.product_id),
                             "RelationshipType": "SellableBy"}] if game else [],
        "UsageData": _usage(p),
        "BundleConfig": None,
        "Markets": [market],
    })
    revision = f"{modified[:-2]}Z"
    out: dict[str, Any] = {
        "LastModifiedDate": modified,
        "LocalizedProperties": [localized],
        "MarketProperties": [market_props],
        "ProductASchema": "Product;3",
        "ProductBSchema": "ProductGame;1" if game else "ProductUnifiedApp;3",
        "ProductId": p.product_id,
        "Properties": _properties(p, revision),
        "AlternateIds": [{"IdType": t, "Value": v} for t, v in p.alternate_ids],
        "DomainDataVersion": None,
        "IngestionSource": "DCE",
        "IsMicrosoftProduct": p.publisher.startswith(("Microsoft", "Xbox")),
        "PreferredSkuId": "0001" if game else "0010",
        "ProductType": "Game" if game else "Application",
        "ValidationData": {"PassedValidation": False,
                           "RevisionId": f"{revision}||.||{_guid(p.product_id, 'rev')}",
                           "ValidationResultUri": ""},
        "MerchandizingTags": [],
        "PartD": "",
    }
    if game:
        out["SandboxId"] = "RETAIL"
    out.update({"ProductFamily": p.family, "SchemaVersion": "3"})
    if game:
        out["IsSandboxedProduct"] = True
    out.update({"ProductKind": "Game" if game else "Application",
                "DisplaySkuAvailabilities": [_sku_availability(p, modified, language, market)]})
    return out


def _properties(p: StoreProduct, revision: str) -> dict[str, Any]:
    game = p.kind == "game"
    attributes = []
    if game and p.multiplayer:
        low, high = p.multiplayer
        attributes.append({"Name": "XblOnlineMultiPlayer", "Minimum": low, "Maximum": high,
                           "ApplicablePlatforms": None, "Group": None})
    if game:
        attributes.append({"Name": "XboxLive", "Minimum": None, "Maximum": None,
                           "ApplicablePlatforms": None, "Group": None})
    out: dict[str, Any] = {"Attributes": attributes, "CanInstallToSDCard": True,
                           "Category": p.category}
    if game:
        out.update({"Categories": [p.category], "Subcategory": None, "IsAccessible": False,
                    "IsDemo": False})
    else:
        out.update({"SubCategory": "", "Categories": None, "Extensions": None,
                    "IsAccessible": False})
    out.update({"IsLineOfBusinessApp": False,
                "IsPublishedToLegacyWindowsPhoneStore": not game,
                "IsPublishedToLegacyWindowsStore": not game})
    if not game:
        out["IsSettingsApp"] = False
    pfn = p.pfn or ""
    out.update({
        "PackageFamilyName": pfn,
        "PackageIdentityName": pfn.split("_")[0],
        "PublisherCertificateName": f"CN={_guid(p.publisher).upper()}",
        "PublisherId": str(10_000_000 + _number(p.publisher, digits=6)),
    })
    if game:
        out["SkuDisplayGroups"] = [{"Id": "01", "Treatment": "MergeAvailabilities"}]
    series = "XboxSeries" in p.devices
    out.update({
        "XboxLiveTier": "Full" if game else None,
        "XboxXPA": None,
        "XboxCrossGenSetId": None,
        "XboxConsoleGenOptimized": (["ConsoleGen9"] if series else ["ConsoleGen8"])
        if game else None,
        "XboxConsoleGenCompatible": (["ConsoleGen8", "ConsoleGen9"] if series else
                                     ["ConsoleGen8"]) if game else None,
        "XboxLiveGoldRequired": p.gold_required,
        "OwnershipType": None,
        "PdpBackgroundColor": "#FFFFFF",
        "HasAddOns": game,
        "RevisionId": revision,
        "ProductGroupId": _guid(p.product_id, "group"),
        "ProductGroupName": p.title,
    })
    return out


def _fulfillment(p: StoreProduct, sku: str) -> dict[str, Any]:
    return {"ProductId": p.product_id, "WuBundleId": _guid(p.product_id, "bundle"),
            "WuCategoryId": _guid(p.product_id, "category"), "PackageFamilyName": p.pfn,
            "SkuId": sku, "Content": None, "PackageFeatures": None}


def _sku_availability(p: StoreProduct, modified: str, language: str,
                      market: str) -> dict[str, Any]:
    game = p.kind == "game"
    sku = "0001" if game else "0010"
    package = {
        "Applications": [] if game else [{"ApplicationId": f"{p.title}.App",
                                          "DeclarationOrder": 0, "Extensions": []}],
        "Architectures": ["x64"],
        "Capabilities": [] if game else ["internetClient"],
        "DeviceCapabilities": [], "ExperienceIds": [], "FrameworkDependencies": [],
        "HardwareDependencies": [], "HardwareRequirements": [],
        "Hash": "" if game else base64.b64encode(_digest(p.product_id, "pkg")).decode(),
        "HashAlgorithm": "" if game else "SHA256",
        "IsStreamingApp": False,
        "Languages": [] if game else [language],
        "MaxDownloadSizeInBytes": p.size,
        "MaxInstallSizeInBytes": 0 if game else p.size + 360_115,
        "PackageFormat": "XVC" if game else "AppxBundle",
        "PackageFamilyName": None if game else p.pfn,
        "MainPackageFamilyNameForDlc": None,
        "PackageFullName": "" if game else f"{(p.pfn or '').split('_')[0]}_1.0.0.0_neutral_~",
        "PackageId": _guid(p.product_id, "package"),
        "ContentId": _guid(p.product_id, "content"),
        "KeyId": _guid(p.product_id, "key") if game else None,
        "PackageRank": 50000 if game else 30003,
        "PackageUri": f"https://productingestionbin1.blob.core.windows.net/"
                      f"{_guid(p.product_id, 'blob')}",
        "PlatformDependencies": [{"MaxTested": 0, "MinVersion": 0,
                                  "PlatformName": _platform(p)}],
        "PlatformDependencyXmlBlob": "",
        "ResourceId": "" if game else "~",
        "Version": "0" if game else "1689266521374720",
        "PackageDownloadUris": [{"Rank": 0, "Uri": f"http://assets1.xboxlive.com/15/"
                                                   f"{_guid(p.product_id, 'asset')}"}]
        if game else None,
        "DriverDependencies": [],
        "FulfillmentData": _fulfillment(p, sku),
    }
    properties: dict[str, Any] = {
        "EarlyAdopterEnrollmentUrl": None,
        "FulfillmentData": _fulfillment(p, sku),
        "FulfillmentType": "XVC" if game else "WindowsUpdate",
        "FulfillmentPluginId": None,
        "HasThirdPartyIAPs": False,
        "LastUpdateDate": modified[:-9] + ".0000000Z",
        "HardwareProperties": {
            "MinimumHardware": [], "RecommendedHardware": [],
            **{k: "" if game else None for k in ("MinimumProcessor", "RecommendedProcessor",
                                                 "MinimumGraphics", "RecommendedGraphics")}},
        "HardwareRequirements": [],
        "HardwareWarningList": [],
        "InstallationTerms": "InstallationTermsRestrictiveXbox" if game
        else "InstallationTermsStandard",
        "Packages": [package],
        "VersionString": "",
    }
    if game:
        properties["SkuDisplayGroupIds"] = ["01"]
    else:
        properties["VisibleToB2BServiceIds"] = []
    properties.update({"XboxXPA": False, "BundledSkus": [], "IsRepurchasable": False,
                       "SkuDisplayRank": 1 if game else 0,
                       "DisplayPhysicalStoreInventory": None})
    if game:
        properties["VisibleToB2BServiceIds"] = []
    properties.update({"AdditionalIdentifiers": [], "IsTrial": False, "IsPreOrder": False,
                       "IsBundle": False})
    sku_market: dict[str, Any] = {"FirstAvailableDate": _time(p.released),
                                  "SupportedLanguages": [language]}
    if not game:
        sku_market["PackageIds"] = None
    sku_market.update({"PIFilter": None, "Markets": [market]})
    availability: dict[str, Any] = {
        "Actions": ["Details", "Fulfill", "Purchase", "Browse", "Curate", "Redeem"],
        "AvailabilityASchema": "Availability;3",
        "AvailabilityBSchema": "AvailabilityGame;1" if game else "AvailabilityUnifiedApp;3",
        "AvailabilityId": big_id("availability", p.product_id),
        "Conditions": {
            "ClientConditions": {"AllowedPlatforms": [{"MaxVersion": 2147483647,
                                                       "MinVersion": 0,
                                                       "PlatformName": _platform(p)}]},
            "EndDate": "9998-12-30T00:00:00.0000000Z", "ResourceSetIds": ["1"],
            "StartDate": _time(p.released)},
        "LastModifiedDate": modified,
        "Markets": [market],
        "OrderManagementData": {"GrantedEntitlementKeys": [],
                                "PIFilter": {"ExclusionProperties": [],
                                             "InclusionProperties": []},
                                "Price": _price(p)},
        "Properties": {"OriginalReleaseDate": _time(p.released)},
        "SkuId": sku,
        "DisplayRank": 0,
    }
    if game:
        availability["AlternateIds"] = [{"IdType": "LegacyTokenIdentifier",
                                         "Value": _guid(p.product_id, "token")}]
    availability["RemediationRequired"] = False
    return {
        "Sku": {
            "LastModifiedDate": modified,
            "LocalizedProperties": [{
                "Contributors": [], "Features": [], "MinimumNotes": "", "RecommendedNotes": "",
                "ReleaseNotes": "", "DisplayPlatformProperties": None,
                "SkuDescription": f"{p.title}, from {p.publisher}.", "SkuTitle": p.title,
                "SkuButtonTitle": "", "DeliveryDateOverlay": None, "SkuDisplayRank": [],
                "TextResources": None, "Images": [],
                "LegalText": {"AdditionalLicenseTerms": "", "Copyright": "",
                              "CopyrightUri": "", "PrivacyPolicy": "",
                              "PrivacyPolicyUri": "https://privacy.microsoft.com/",
                              "Tou": "", "TouUri": ""},
                "Language": language, "Markets": [market]}],
            "MarketProperties": [sku_market],
            "ProductId": p.product_id,
            "Properties": properties,
            "SkuASchema": "Sku;3",
            "SkuBSchema": "SkuGame;1" if game else "SkuUnifiedApp;3",
            "SkuId": sku,
            "SkuType": "full",
            "RecurrencePolicy": None,
            "SubscriptionPolicyId": None,
        },
        "Availabilities": [availability],
    }


def _legacy_json(p: StoreProduct, language: str, market: str) -> dict[str, Any]:
    """A 2014-era product (catalog_product_lookup_legacy.json's layout)."""
    modified = "2014-10-21T17:30:01.0000000+00:00"
    legacy = dict(p.alternate_ids).get("LegacyXboxProductId", "")
    return {
        "LastModifiedDate": modified,
        "LocalizedProperties": [{
            "Images": [{"FileSizeInBytes": 0, "Height": 1080, "ImagePositionInfo": "Xbox",
                        "ImagePurpose": "FullScreenPromotionalImageArt", "SortOrder": "0",
                        "Uri": f"https://images-eds-ssl.xboxlive.com/image?url="
                               f"{_guid(p.product_id, 'eds')}", "Width": 1920}],
            "Language": language, "PublisherName": p.publisher,
            "SearchTitles": [{"SearchTitleString": p.title, "SearchTitleType": "SearchHint"}],
            "ShortTitle": p.title, "SortTitle": p.title, "Videos": [], "VoiceTitle": p.title,
            "ProductDescription": "", "ProductTitle": p.title, "Markets": [market]}],
        "MarketProperties": [{
            "ContentRatings": [{"RatingDescriptors": [], "RatingDisclaimers": [],
                                "RatingId": "Microsoft:3", "RatingSystem": "Microsoft"}],
            "OriginalReleaseDate": _time(p.released),
            "UsageData": [{**u, "RatingCount": 0, "AverageRating": 0.0} for u in _usage(p)[:1]],
            "RelatedProducts": [], "Markets": [market]}],
        "ProductASchema": "Product;3",
        "ProductBSchema": "ProductUnifiedApp;3",
        "ProductId": p.product_id,
        "Properties": {"AllowedUrls": [], "Categories": [p.category], "PublisherId": "",
                       "SkuDisplayGroups": [], "RevisionId": modified},
        "AlternateIds": [{"IdType": t, "Value": v} for t, v in p.alternate_ids],
        "DomainDataVersion": "",
        "IngestionSource": "Bingbox App",
        "IsMicrosoftProduct": False,
        "ProductType": "Application",
        "ValidationData": None,
        "MerchandizingTags": None,
        "SandboxId": "RETAIL",
        "ProductFamily": "Apps",
        "SchemaVersion": "1",
        "IsSandboxedProduct": True,
        "ProductKind": "Application",
        "DisplaySkuAvailabilities": [{
            "Sku": {
                "LastModifiedDate": modified,
                "LocalizedProperties": [{"Language": language, "SkuDescription": "",
                                         "SkuTitle": p.title, "Markets": [market]}],
                "MarketProperties": [{
                    "FirstAvailableDate": _time(p.released),
                    "RedemptionUrl": "https://www.microsoft.com/redeem", "Markets": [market],
                    "PIFilter": {"ExclusionProperties": ["xboxonlycontent"],
                                 "InclusionProperties": []}}],
                "ProductId": p.product_id,
                "Properties": {
                    "BundledSkus": [], "DisplayRank": [], "FulfillmentType": "XUS",
                    "InstallationTerms": "InstallationTermsRestrictiveXbox",
                    "LicensingPolicyType": "Online", "Packages": [],
                    "SkuDisplayGroupIds": ["01"], "SkuDisplayRank": 0, "LastUpdateDate": "",
                    "VisibleToB2BServiceIds": [], "AdditionalIdentifiers": [],
                    "IsTrial": False, "IsPreOrder": False, "IsBundle": False,
                    "IsRepurchasable": False},
                "SkuASchema": "SKU;3", "SkuBSchema": "SkuUnifiedApp;3", "SkuId": "0001",
                "SkuType": "Full", "RecurrencePolicy": None, "SubscriptionPolicyId": None,
            },
            "Availabilities": [{
                "Actions": ["Redeem"], "AvailabilityASchema": "Availability;3",
                "AvailabilityBSchema": "AvailabilityGame;1",
                "AvailabilityId": big_id("availability", p.product_id),
                "Conditions": {"ClientConditions": {"AllowedPlatforms": [
                    {"PlatformName": "Windows.Xbox"}]},
                    "EndDate": "2030-01-01T00:00:00Z", "ResourceSetIds": ["1"],
                    "StartDate": "2013-01-01T00:00:00Z"},
                "LastModifiedDate": modified, "Markets": [market],
                "OrderManagementData": {
                    "GrantedEntitlementKeys": [f"big:{p.product_id}:0001"],
                    "Price": {"CurrencyCode": "USD", "IsPIRequired": False, "ListPrice": 0.0,
                              "MSRP": 0.0, "TaxType": "TaxesNotIncluded",
                              "WholesaleCurrencyCode": "USD", "WholesalePrice": 0.0}},
                "Properties": {"OriginalReleaseDate": _time(p.released)},
                "SkuId": "0001", "DisplayRank": 0,
                "AlternateIds": [{"IdType": "LegacyTokenIdentifier", "Value": legacy}],
                "RemediationRequired": False,
            }],
        }],
    }


def search_json(p: StoreProduct) -> dict[str, Any]:
    """One autosuggest entry (catalog_search.json): the product's box art or tile."""
    box = p.family == "Games"
    return {"BackgroundColor": "" if box else "#152133", "Height": 1080 if box else 620,
            "ImageType": "BoxArt" if box else "Tile", "Width": 1080 if box else 620,
            "PlatformProperties": [], "Icon": _image_uri(p, 2), "ProductId": p.product_id,
            "Type": "Game" if box else "Application", "Title": p.title}
